package canvas

import (
	"fmt"
	"image"
	"image/color"
)

// Canvas is what a chart draws on; coordinates are in CSS pixels. The SVG
// and the PNG of a chart come from the same drawing code.
type Canvas interface {
	Begin(w, h float64)
	Line(pts []Point, color string, width float64)
	Dot(p Point, r float64, color string)
	Text(x, y, size float64, a Anchor, s string)
	VerticalText(x, y, size float64, s string) // centred on (x, y), read bottom to top
	Box(x, y, w, h float64, fill, stroke string)
	// Pixels paints img scaled to the box, each pixel a sharp square.
	Pixels(x, y, w, h float64, img *image.RGBA)
}

type Point struct{ X, Y float64 }

type Anchor int

const (
	Start Anchor = iota
	Middle
	End
)

// ParseHex reads a colour written "#rrggbb" or "#rgb".
func ParseHex(s string) color.RGBA {
	var r, g, b uint8
	if len(s) == 4 { // #rgb
		fmt.Sscanf(s, "#%1x%1x%1x", &r, &g, &b)
		return color.RGBA{r * 17, g * 17, b * 17, 255}
	}
	fmt.Sscanf(s, "#%02x%02x%02x", &r, &g, &b)
	return color.RGBA{r, g, b, 255}
}
