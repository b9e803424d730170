package mnistlib

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// serve answers every request with body, or cuts it short after half when
// truncate is set (the header still promises the whole body).
func serve(t *testing.T, status int, body []byte, truncate bool) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(status)
		if truncate {
			w.Write(body[:len(body)/2])
			return
		}
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

// publishing returns a copy of MNIST whose published mnist.npz is body.
func publishing(body []byte) *Dataset {
	sum := sha256.Sum256(body)
	ds := *MNIST
	ds.SHA256 = map[string]string{npzName: hex.EncodeToString(sum[:])}
	return &ds
}

func TestDownload(t *testing.T) {
	npz := dataNPZ(t, tinyData(4))
	ds := publishing(npz)
	cases := []struct {
		name     string
		status   int
		body     []byte
		truncate bool
		want     []string // error parts; nil means success
	}{
		{"good", 200, npz, false, nil},
		{"checksum mismatch", 200, append([]byte{}, npz[:len(npz)-1]...), false, []string{"checksum mismatch", "MNIST_DIR"}},
		{"connection cut", 200, npz, true, []string{"unexpected EOF"}},
		{"not found", 404, []byte("no"), false, []string{"404"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l := &Loader{Dataset: ds, CacheDir: t.TempDir(), BaseURL: serve(t, c.status, c.body, c.truncate)}
			d, err := l.Load()
			if c.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if d.Train.Images.N != 4 || !strings.Contains(d.Source, "cache") {
					t.Errorf("loaded %d images from %q", d.Train.Images.N, d.Source)
				}
				// The second load is served by the cache alone.
				l.BaseURL = "http://127.0.0.1:1/unreachable/"
				if _, err := l.Load(); err != nil {
					t.Errorf("second load: %v", err)
				}
				return
			}
			assertErrorMentions(t, err, append(c.want, l.BaseURL+npzName, l.CacheDir)...)
			if _, err := os.Stat(filepath.Join(l.CacheDir, npzName)); err == nil {
				t.Error("a bad download was left in the cache under its final name")
			}
			assertNoPartFiles(t, l.CacheDir)
		})
	}
}

// A cached copy that no longer matches its checksum is reported, not used.
func TestCorruptCache(t *testing.T) {
	npz := dataNPZ(t, tinyData(2))
	ds := publishing(npz)
	cache := t.TempDir()
	npz[len(npz)/2] ^= 0xff
	writeFile(t, filepath.Join(cache, npzName), npz)
	_, err := (&Loader{Dataset: ds, CacheDir: cache}).Load()
	assertErrorMentions(t, err, filepath.Join(cache, npzName), "checksum mismatch", "delete it")
}

// When the download fails, the Go module supplies the files.
func TestFallbackToGoModule(t *testing.T) {
	if _, err := realMNIST(); err != nil {
		t.Fatalf("the Go module source itself fails: %v", err)
	}
	l := &Loader{Dataset: MNIST, CacheDir: t.TempDir(), BaseURL: serve(t, 503, []byte("down"), false), GoModule: MNIST.GoModule}
	d, err := l.Load()
	if err != nil {
		t.Fatal(err)
	}
	if d.Train.Images.N != 60000 {
		t.Errorf("%d training images, want 60000", d.Train.Images.N)
	}
	assertNoPartFiles(t, l.CacheDir)
}

func TestNoSourceWorks(t *testing.T) {
	l := &Loader{Dataset: MNIST, CacheDir: t.TempDir(), BaseURL: serve(t, 503, nil, false), GoModule: "example.invalid/nothing@v0.0.1"}
	_, err := l.Load()
	assertErrorMentions(t, err, "503", "example.invalid/nothing", "fix:", "MNIST_DIR")
}
