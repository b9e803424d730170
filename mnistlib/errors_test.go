package mnistlib

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gonb-mnist/workbook/internal/idx"
)

// Every bad input must give an error that names the file and says what to do.
func TestBadFolderErrors(t *testing.T) {
	good := tinyData(3)
	gz := func(name string) string { return name + ".gz" }
	cases := []struct {
		name  string
		spoil func(t *testing.T, dir string) // applied to a folder with a good set
		want  []string                       // all must appear in the error
	}{
		{"empty folder", func(t *testing.T, dir string) { removeAll(t, dir) },
			[]string{"no MNIST data in", "train-images-idx3-ubyte", "mnist.npz", "MNIST_DIR"}},
		{"missing labels file", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, gz(idxNames[3])))
		}, []string{"lacks t10k-labels-idx1-ubyte", "copy the missing files"}},
		{"labels file where images belong", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, gz(idxNames[0])), gzipBytes(idxBytes(idx.LabelsMagic, []int{3}, good.Train.Labels)))
		}, []string{gz(idxNames[0]), "wrong magic number 0x00000801", "labels file", "replace"}},
		{"gzip file without .gz", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, gz(idxNames[1])))
			writeFile(t, filepath.Join(dir, idxNames[1]), gzipBytes([]byte("whatever")))
		}, []string{idxNames[1], "gzip file whose name lacks .gz"}},
		{"truncated images", func(t *testing.T, dir string) {
			raw := idxBytes(idx.ImagesMagic, good.Train.Images.Shape(), good.Train.Images.Pix)
			writeFile(t, filepath.Join(dir, gz(idxNames[0])), gzipBytes(raw[:1000]))
		}, []string{gz(idxNames[0]), "truncated", "984 of the 2352 bytes", "fetch it again"}},
		{"truncated gzip stream", func(t *testing.T, dir string) {
			b, _ := os.ReadFile(filepath.Join(dir, gz(idxNames[2])))
			writeFile(t, filepath.Join(dir, gz(idxNames[2])), b[:len(b)/2])
		}, []string{gz(idxNames[2]), "truncated", "fetch it again"}},
		{"not gzip at all", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, gz(idxNames[2])), []byte("<html>404 not found</html>"))
		}, []string{gz(idxNames[2]), "not a readable gzip file"}},
		{"fewer labels than images", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, gz(idxNames[1])), gzipBytes(idxBytes(idx.LabelsMagic, []int{2}, good.Train.Labels[:2])))
		}, []string{idxNames[0], idxNames[1], "3 images but 2 labels", "matching pair"}},
		{"label out of range", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, gz(idxNames[3])), gzipBytes(idxBytes(idx.LabelsMagic, []int{3}, []byte{1, 12, 3})))
		}, []string{idxNames[3], "label 12 at index 1"}},
		{"gzip checksum", func(t *testing.T, dir string) { // the stream's CRC-32, 8 bytes from its end
			path := filepath.Join(dir, gz(idxNames[3]))
			b, _ := os.ReadFile(path)
			b[len(b)-8] ^= 0x01
			writeFile(t, path, b)
		}, []string{gz(idxNames[3]), "gzip checksum does not match", "fetch it again"}},
		{"trailing data", func(t *testing.T, dir string) {
			raw := idxBytes(idx.LabelsMagic, []int{3}, good.Test.Labels)
			writeFile(t, filepath.Join(dir, gz(idxNames[3])), gzipBytes(append(raw, 7, 7, 7)))
		}, []string{gz(idxNames[3]), "more data than its header announces"}},
		{"header overflows", func(t *testing.T, dir string) { // 2^31 × 2^31 × 2 wraps around an int64
			writeFile(t, filepath.Join(dir, gz(idxNames[0])), gzipBytes(idxBytes(idx.ImagesMagic, []int{1 << 31, 1 << 31, 2}, nil)))
		}, []string{gz(idxNames[0]), "announces the shape [2147483648]", "corrupt"}},
		{"header announces too much", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, gz(idxNames[0])), gzipBytes(idxBytes(idx.ImagesMagic, []int{90000, 28, 28}, nil)))
		}, []string{gz(idxNames[0]), "more than the 64 MiB a file may hold"}},
		{"images not 28x28", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, gz(idxNames[2])), gzipBytes(idxBytes(idx.ImagesMagic, []int{3, 32, 32}, make([]byte, 3*32*32))))
		}, []string{idxNames[2], "32×32", "28×28"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeIDXSet(t, dir, good)
			c.spoil(t, dir)
			_, err := LoadDataFrom(dir)
			assertErrorMentions(t, err, append(c.want, dir)...)
		})
	}
}

func TestBadNPZErrors(t *testing.T) {
	good := tinyData(3)
	members := func() map[string][]byte {
		return map[string][]byte{
			"x_train": npyBytes(good.Train.Images.Shape(), good.Train.Images.Pix),
			"y_train": npyBytes(good.Train.Labels.Shape(), good.Train.Labels),
			"x_test":  npyBytes(good.Test.Images.Shape(), good.Test.Images.Pix),
			"y_test":  npyBytes(good.Test.Labels.Shape(), good.Test.Labels),
		}
	}
	cases := []struct {
		name    string
		content func(t *testing.T) []byte
		want    []string
	}{
		{"not a zip", func(t *testing.T) []byte { return []byte("not a zip") }, []string{"not a readable .npz"}},
		{"cut short", func(t *testing.T) []byte { b := npzBytes(t, members()); return b[:len(b)-40] }, []string{"not a readable .npz", "fetch it again"}},
		{"missing array", func(t *testing.T) []byte {
			m := members()
			delete(m, "y_test")
			return npzBytes(t, m)
		}, []string{`no array "y_test.npy"`}},
		{"truncated array", func(t *testing.T) []byte {
			m := members()
			m["x_train"] = m["x_train"][:len(m["x_train"])-5]
			return npzBytes(t, m)
		}, []string{"x_train.npy", "needs 2352 bytes", "2347"}},
		{"float array", func(t *testing.T) []byte {
			m := members()
			m["y_test"] = []byte(strings.Replace(string(m["y_test"]), "|u1", "<f4", 1))
			return npzBytes(t, m)
		}, []string{"y_test.npy", "element type <f4"}},
		{"label count mismatch", func(t *testing.T) []byte {
			m := members()
			m["y_train"] = npyBytes([]int{2}, good.Train.Labels[:2])
			return npzBytes(t, m)
		}, []string{"x_train/y_train", "3 images but 2 labels"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, npzName), c.content(t))
			_, err := LoadDataFrom(dir)
			assertErrorMentions(t, err, append(c.want, filepath.Join(dir, npzName))...)
		})
	}
}

func TestGoodTinyFolder(t *testing.T) {
	dir := t.TempDir()
	want := tinyData(3)
	writeIDXSet(t, dir, want)
	got, err := LoadDataFrom(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Train.Images.Shape().String() != "(3, 28, 28)" || string(got.Test.Labels) != string(want.Test.Labels) {
		t.Errorf("got shapes %v/%v labels %v", got.Train.Images.Shape(), got.Test.Labels.Shape(), got.Test.Labels)
	}
}

func assertErrorMentions(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	t.Logf("error: %v", err)
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not mention %q:\n%v", w, err)
		}
	}
}

func removeAll(t *testing.T, dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.Remove(filepath.Join(dir, e.Name()))
	}
}

// Four small files whose headers claim a gigabyte each must not make the
// loader take that memory: a child process loads them and its peak RSS is
// measured (it cost 4.2 GB before the cap).
func TestBombFolderMemory(t *testing.T) {
	if dir := os.Getenv("MNISTLIB_TEST_BOMB"); dir != "" {
		_, err := LoadDataFrom(dir)
		fmt.Println("ERROR:", err)
		// The peak of this process's own memory since exec: the parent's wait4
		// maxrss would also count the parent's pages, which the child shares
		// until exec (Go starts children with vfork).
		status, _ := os.ReadFile("/proc/self/status")
		for _, line := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(line, "VmHWM:") {
				fmt.Println("PEAK", strings.Fields(line)[1])
			}
		}
		return
	}
	dir := t.TempDir()
	for i, name := range idxNames { // each 256 MiB of zeros, about 250 KB gzipped
		magic, dims := uint32(idx.ImagesMagic), []int{256 << 20 / 784, 28, 28}
		if i%2 == 1 {
			magic, dims = idx.LabelsMagic, []int{256 << 20}
		}
		writeFile(t, filepath.Join(dir, name+".gz"), gzipZeros(t, idxBytes(magic, dims, nil), 256<<20))
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestBombFolderMemory$")
	cmd.Env = append(os.Environ(), "MNISTLIB_TEST_BOMB="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "more than the 64 MiB a file may hold") {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var peakKiB int
	_, report, _ := strings.Cut(string(out), "PEAK ")
	if _, err := fmt.Sscanf(report, "%d", &peakKiB); err != nil {
		t.Fatalf("the child did not report its peak memory: %v\n%s", err, out)
	}
	peak := peakKiB >> 10
	if peak > 300 {
		t.Errorf("loading four files that unpack to 256 MiB each took %d MiB at peak", peak)
	}
	t.Logf("peak RSS of the child: %d MiB", peak)
}

// gzipZeros gzips header followed by n zero bytes, without holding them.
func gzipZeros(t *testing.T, header []byte, n int) []byte {
	var b bytes.Buffer
	w, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	w.Write(header)
	zeros := make([]byte, 1<<20)
	for ; n > 0; n -= len(zeros) {
		w.Write(zeros[:min(n, len(zeros))])
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
