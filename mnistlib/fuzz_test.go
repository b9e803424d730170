package mnistlib

// The fuzz targets of the readers mnistlib owns: FuzzLoad (a checkpoint folder:
// model.json and weights.bin, read by internal/checkpoint, the layers decoded
// and the model built here) and FuzzReadDigit (a picture file: Go's decoders,
// then DigitFromImage). Each asserts no panic, no hang, memory within the
// bound, and either a clear error or a result that passes the checks of a
// good file.
//
//	go test ./mnistlib -run '^$' -fuzz '^FuzzLoad$' -fuzztime 10s
//	go test ./mnistlib -run '^$' -fuzz '^FuzzReadDigit$' -fuzztime 10s
//
// Their corpora: the seeds below and testdata/fuzz/FuzzLoad, FuzzReadDigit.

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gonb-mnist/workbook/internal/checkpoint"
	"github.com/gonb-mnist/workbook/internal/fuzzseed"
	"golang.org/x/image/bmp"
)

// FuzzLoad writes its two byte strings as model.json and weights.bin in a
// folder and loads it. With fixSum it first writes the checksum that matches
// them into model.json (as craft does), so that the fuzzer gets past the check
// against damage to what Load must find by itself.
func FuzzLoad(f *testing.F) {
	for _, name := range []string{"mlp", "cnn"} {
		man, weights := readFixture(f, name)
		f.Add(man, weights, false)
		f.Add(man, weights, true)
	}
	// The crafted manifests of TestCheckpointCraftedManifest, on the fixture's
	// MLP (Dense 8, Dropout, Dense 10). Those refused before weights.bin is read
	// are corpus files, with no weights; the two refused once the model is
	// built need the weights, and are added here.
	man, weights := readFixture(f, "mlp")
	var seeds []fuzzseed.Seed
	for _, tc := range craftedManifests {
		edited := editManifest(f, man, tc.edit)
		if strings.Contains(tc.want[0], "do not fit its layers") {
			f.Add(edited, weights, true)
			continue
		}
		seeds = append(seeds, fuzzseed.Seed{Name: seedName(tc.name), Args: []any{edited, []byte{}, true}})
	}
	for _, s := range []struct {
		name string
		man  []byte
	}{
		{"not json", []byte("{\"format\": ")},
		{"empty", []byte{}},
		{"format 2", bytes.Replace(man, []byte(checkpoint.Format), []byte("mnistlib-checkpoint/2"), 1)},
		{"null", []byte("null")},
		{"variables of huge shape", editManifest(f, man, func(m jsonObj) {
			v := variable(m, "/#rngState")
			v["shape"], v["bytes"] = []any{1 << 20, 1 << 20, 1 << 20}, int64(1)<<62
		})},
		{"non-trainable variable of 4 GiB", editManifest(f, man, func(m jsonObj) {
			v := variable(m, "/#rngState")
			v["shape"], v["bytes"] = []any{1 << 29}, int64(4)<<30
		})},
		{"extra variable", editManifest(f, man, func(m jsonObj) {
			m["variables"] = append(m["variables"].([]any), jsonObj{"path": "/extra", "dtype": "Float32", "shape": []any{2}, "trainable": true, "offset": 76488, "bytes": 8})
		})},
		{"layer config not an object", editManifest(f, man, func(m jsonObj) {
			m["model"].(jsonObj)["layers"].([]any)[0].(jsonObj)["config"] = "units"
		})},
		{"nan learning rate", bytes.Replace(man, []byte(`"learning_rate": 0.01`), []byte(`"learning_rate": NaN`), 1)},
	} {
		seeds = append(seeds, fuzzseed.Seed{Name: seedName(s.name), Args: []any{s.man, []byte{}, true}})
	}
	fuzzseed.Corpus(f, seeds)

	f.Fuzz(func(t *testing.T, manJSON, weights []byte, fixSum bool) {
		if len(manJSON)+len(weights) > 1<<20 {
			t.Skip("over 1 MiB: each exec is kept cheap") // the caps themselves are TestCheckpointLoadMemory's
		}
		if fixSum {
			manJSON = withChecksum(manJSON, weights)
		}
		dir := filepath.Join(t.TempDir(), "model")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, checkpoint.ManifestFile), manJSON)
		writeFile(t, filepath.Join(dir, checkpoint.WeightsFile), weights)

		// A model built once is not built again for other weights of the same
		// manifest: the build (a compile on XLA) is most of an exec's time, and
		// the values of the weights change nothing in it. The checks of the
		// folder still run in full.
		if key, ok := builtKey(manJSON); ok {
			if _, seen := builtManifests.LoadOrStore(key, true); seen {
				_, err := readCheckpoint(dir, nil)
				checkLoadError(t, dir, err)
				return
			}
		}
		before := allocated()
		var m *Model
		err := fuzzseed.Within(t, 60*time.Second, func() error {
			var err error
			m, err = Load(dir)
			return err
		})
		// What Load may allocate in Go's memory: both files, the variables
		// made from weights.bin (a copy of it, and one in the store), and the
		// layers' graphs for one image, whatever the manifest claims.
		bound := uint64(64<<20 + 8*(len(manJSON)+len(weights)))
		if grew := allocated() - before; grew > bound {
			t.Errorf("Load allocated %d MiB for a folder of %d bytes (bound %d MiB)", grew>>20, len(manJSON)+len(weights), bound>>20)
		}
		if err != nil {
			checkLoadError(t, dir, err)
			return
		}
		// A folder Load accepts passes the checks of a good checkpoint: its
		// layers are the manifest's, its trainable variables hold exactly its
		// parameters, and it answers ten probabilities for an image.
		var man checkpoint.Manifest
		man.History, man.Fitted = &History{}, &FitParams{}
		if err := json.Unmarshal(manJSON, &man); err != nil {
			t.Fatalf("Load accepted a model.json that does not decode: %v", err)
		}
		if len(m.Layers()) != len(man.Model.Layers) {
			t.Fatalf("%d layers loaded, %d in model.json", len(m.Layers()), len(man.Model.Layers))
		}
		trainable := 0
		for _, v := range man.Variables {
			if v.Trainable {
				trainable += int(v.Bytes / 4)
			}
		}
		if m.NumParams() != trainable {
			t.Fatalf("the model has %d parameters, its trainable variables %d", m.NumParams(), trainable)
		}
		probs, err := m.predict([][]float32{make([]float32, InputSize)})
		if err != nil || len(probs) != 1 || len(probs[0]) != NumClasses {
			t.Fatalf("the loaded model's prediction: %v, %v", probs, err)
		}
	})
}

// builtManifests are the manifests (less their checksums) FuzzLoad has built
// a model for in this process.
var builtManifests sync.Map

// builtKey is the manifest as decoded, less its checksum: two model.json of
// one model with other weights share it.
func builtKey(manJSON []byte) (string, bool) {
	man := checkpoint.Manifest{History: &History{}, Fitted: &FitParams{}}
	if json.Unmarshal(manJSON, &man) != nil {
		return "", false
	}
	man.SHA256 = ""
	key, err := json.Marshal(man)
	return string(key), err == nil
}

// checkLoadError fails the test unless err is a clear error about dir: it
// names the folder, and is no panic caught by recoverInto (which is the last
// line of defence, not a way to refuse a folder).
func checkLoadError(t *testing.T, dir string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	t.Logf("refused: %v", msg)
	if strings.Contains(msg, "cannot be loaded (") || strings.Contains(msg, "PANIC") {
		t.Fatalf("Load panicked: %v", msg)
	}
	if !strings.Contains(msg, dir) {
		t.Errorf("the error does not name the folder %s: %v", dir, msg)
	}
}

func readFixture(f *testing.F, name string) (man, weights []byte) {
	man, err := os.ReadFile(filepath.Join(fixtureDir, name, checkpoint.ManifestFile))
	if err != nil {
		f.Fatal(err)
	}
	if weights, err = os.ReadFile(filepath.Join(fixtureDir, name, checkpoint.WeightsFile)); err != nil {
		f.Fatal(err)
	}
	return man, weights
}

// editManifest is man with edit applied to it as a generic JSON value
// (its checksum left as it was: FuzzLoad's fixSum writes the right one).
func editManifest(f *testing.F, man []byte, edit func(man jsonObj)) []byte {
	var generic jsonObj
	if err := json.Unmarshal(man, &generic); err != nil {
		f.Fatal(err)
	}
	edit(generic)
	out, err := json.Marshal(generic)
	if err != nil {
		f.Fatal(err)
	}
	return out
}

// withChecksum is manJSON with the checksum that matches it and weights, as
// Load computes it; a manifest that does not decode is left as it is.
func withChecksum(manJSON, weights []byte) []byte {
	man := checkpoint.Manifest{History: &History{}, Fitted: &FitParams{}} // as Load reads it
	if json.Unmarshal(manJSON, &man) != nil {
		return manJSON
	}
	var generic map[string]json.RawMessage
	if json.Unmarshal(manJSON, &generic) != nil || generic == nil {
		return manJSON
	}
	sum, err := checkpoint.Checksum(man, weights)
	if err != nil {
		return manJSON
	}
	generic["sha256"], _ = json.Marshal(sum)
	out, err := json.Marshal(generic)
	if err != nil {
		return manJSON
	}
	return out
}

func seedName(name string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, name)
}

// FuzzReadDigit writes its bytes as a picture file and reads it with
// ReadDigit.
func FuzzReadDigit(f *testing.F) {
	example, err := os.ReadFile("testdata/examples/9.bmp")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(example)
	digit := paperDigit(40, 48)
	var pngBuf, jpgBuf, bmpBuf bytes.Buffer
	png.Encode(&pngBuf, digit)
	jpeg.Encode(&jpgBuf, digit, &jpeg.Options{Quality: 80})
	bmp.Encode(&bmpBuf, digit)
	f.Add(pngBuf.Bytes())
	f.Add(jpgBuf.Bytes())
	f.Add(bmpBuf.Bytes())
	var alphaBuf bytes.Buffer
	png.Encode(&alphaBuf, inkDigit(30, 36, color.NRGBA{0, 0, 0, 255}, color.NRGBA{255, 255, 255, 0}))
	f.Add(alphaBuf.Bytes())

	// The hostile pictures of TestReadDigitErrors, TestReadDigitTooLittleInk
	// and more, small enough to keep as corpus files.
	encode := func(img image.Image, format string) []byte {
		var b bytes.Buffer
		switch format {
		case "png":
			png.Encode(&b, img)
		case "jpeg":
			jpeg.Encode(&b, img, &jpeg.Options{Quality: 75})
		case "bmp":
			bmp.Encode(&b, img)
		}
		return b.Bytes()
	}
	white := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range white.Pix {
		white.Pix[i] = 250
	}
	at := func(points ...image.Point) func(x, y int) bool {
		return func(x, y int) bool {
			for _, p := range points {
				if p.X == x && p.Y == y {
					return true
				}
			}
			return false
		}
	}
	bmpHuge := bytes.Clone(bmpBuf.Bytes()) // its header says 40000×40000
	putLE32(bmpHuge[18:], 40000)
	putLE32(bmpHuge[22:], 40000)
	bmpTopDown := bytes.Clone(bmpBuf.Bytes()) // a negative height: rows top to bottom
	putLE32(bmpTopDown[22:], uint32(0xffffffff-48+1))
	bmpZero := bytes.Clone(bmpBuf.Bytes())
	putLE32(bmpZero[18:], 0)
	jpegHuge := bytes.Clone(jpgBuf.Bytes()) // its frame header says 65535×65535
	if i := bytes.Index(jpegHuge, []byte{0xff, 0xc0}); i >= 0 {
		jpegHuge[i+5], jpegHuge[i+6], jpegHuge[i+7], jpegHuge[i+8] = 0xff, 0xff, 0xff, 0xff
	}
	var seeds []fuzzseed.Seed
	for _, s := range []struct {
		name string
		data []byte
	}{
		{"notes-txt", []byte("this is not an image")},
		{"blank-png", encode(white, "png")},
		{"cut-png", pngBuf.Bytes()[:pngBuf.Len()/2]},
		{"cut-jpeg", jpgBuf.Bytes()[:jpgBuf.Len()/2]},
		{"cut-bmp", bmpBuf.Bytes()[:bmpBuf.Len()/2]},
		{"png-claims-30000x30000", pngClaiming(f, 30000, 30000)},
		{"png-claims-20000000x1", pngClaiming(f, 20_000_000, 1)},
		{"png-claims-1x16777216", pngClaiming(f, 1, MaxDigitPixels)},
		{"png-claims-16777216x1", pngClaiming(f, MaxDigitPixels, 1)},
		{"png-claims-4000x4000", pngClaiming(f, 4000, 4000)},
		{"png-claims-0x0", pngClaiming(f, 0, 0)},
		{"bmp-claims-40000x40000", bmpHuge},
		{"bmp-top-down", bmpTopDown},
		{"bmp-zero-width", bmpZero},
		{"jpeg-claims-65535x65535", jpegHuge},
		{"line-1x64", encode(tallLine(64), "png")},
		{"line-64x1", encode(page(64, 1, func(x, y int) bool { return x > 2 && x < 60 }), "png")},
		{"one-pixel", encode(page(1, 1, func(x, y int) bool { return true }), "png")},
		{"two-dots-28x28", encode(page(28, 28, at(image.Pt(10, 10), image.Pt(17, 17))), "png")},
		{"two-dots-200x200", encode(page(200, 200, at(image.Pt(20, 20), image.Pt(180, 160))), "png")},
		{"hairline-300x300", encode(page(300, 300, func(x, y int) bool { return x == y && x > 10 && x < 290 }), "png")},
		{"transparent", encode(image.NewNRGBA(image.Rect(0, 0, 20, 20)), "png")},
		{"gray-jpeg", encode(paperDigit(28, 28), "jpeg")},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")},
	} {
		seeds = append(seeds, fuzzseed.Seed{Name: s.name, Args: []any{s.data}})
	}
	fuzzseed.Corpus(f, seeds)

	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "digit")
		writeFile(t, path, data)
		// What ReadDigit may allocate: nothing large for a picture whose header
		// claims more than MaxDigitPixels; for any other, the decoded picture
		// (up to 8 bytes a pixel, and the JPEG decoder's coefficients) and its
		// gray copies, a few dozen bytes a pixel in all, and fixed buffers.
		bound := uint64(32 << 20)
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err == nil && cfg.Width > 0 && cfg.Height > 0 && cfg.Width*cfg.Height <= MaxDigitPixels {
			bound += 32 * uint64(cfg.Width) * uint64(cfg.Height)
		}
		before := allocated()
		var d Digit
		err := fuzzseed.Within(t, 30*time.Second, func() error {
			var err error
			d, err = ReadDigit(path)
			return err
		})
		if grew := allocated() - before; grew > bound {
			t.Errorf("ReadDigit allocated %d MiB (bound %d MiB)", grew>>20, bound>>20)
		}
		if err != nil {
			if msg := err.Error(); !strings.Contains(msg, path) || len(msg) < len(path)+20 {
				t.Errorf("the error does not name the file and say what is wrong: %q", msg)
			}
			return
		}
		// A picture ReadDigit accepts is a digit as MNIST's are: 28×28, with
		// the ink the ink rule asks for (checkInk's measure is at most the sum).
		if d.Rows != 28 || d.Cols != 28 || len(d.Pix) != 28*28 {
			t.Fatalf("a digit of %d×%d with %d pixels", d.Rows, d.Cols, len(d.Pix))
		}
		if ink := float64(digitInk(d)) / 255; ink < minDigitInk {
			t.Fatalf("a digit with %.1f pixels' worth of ink, under the %d the ink rule asks", ink, minDigitInk)
		}
	})
}

func putLE32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}
