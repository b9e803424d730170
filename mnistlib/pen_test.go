package mnistlib

import "testing"

func TestDrawStrokes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		strokes []Stroke
		inked   [][2]int // pixels (x, y) that must be full ink
		clear   [][2]int // pixels that must stay black
	}{
		{"a horizontal line", []Stroke{{{10, 20}, {50, 20}}},
			[][2]int{{10, 20}, {30, 18}, {30, 21}, {50, 20}},
			[][2]int{{30, 25}, {30, 14}, {57, 20}, {3, 20}}},
		{"a dot", []Stroke{{{30, 30}}},
			[][2]int{{30, 30}, {27, 30}, {32, 31}},
			[][2]int{{36, 30}, {30, 36}}},
		{"two strokes", []Stroke{{{5, 5}, {5, 40}}, {{40, 5}, {40, 40}}},
			[][2]int{{5, 20}, {40, 20}},
			[][2]int{{22, 20}}},
		{"off the picture", []Stroke{{{-100, 30}, {200, 30}}},
			[][2]int{{0, 30}, {63, 30}},
			[][2]int{{30, 40}}},
	} {
		img := DrawStrokes(64, 64, 8, tc.strokes)
		for _, p := range tc.inked {
			if v := img.GrayAt(p[0], p[1]).Y; v < 250 {
				t.Errorf("%s: pixel %v is %d, want ink", tc.name, p, v)
			}
		}
		for _, p := range tc.clear {
			if v := img.GrayAt(p[0], p[1]).Y; v != 0 {
				t.Errorf("%s: pixel %v is %d, want black", tc.name, p, v)
			}
		}
	}
	// The edge is antialiased: the line's border pixels are partly inked.
	img := DrawStrokes(64, 64, 7, []Stroke{{{10, 20.2}, {50, 20.2}}})
	if v := img.GrayAt(30, 23).Y; v == 0 || v == 255 {
		t.Errorf("edge pixel is %d, want partial ink", v)
	}
	if img := DrawStrokes(0, 0, 8, nil); img.Rect.Dx() != 1 {
		t.Errorf("an empty picture is %v", img.Rect)
	}
}
