// Package canvas is what the workbook's charts and pictures draw on: one
// drawing code for an SVG and a PNG copy of the same picture, with labels drawn
// as glyph outlines of the bundled fonts, so that Chinese labels show in a
// browser or an export that has no Chinese font. What is drawn (charts, grids
// of weights, the by-hand pictures) is mnistlib's.
//
// Its files:
//
//   - canvas.go: Canvas, the drawing calls both kinds share, Point, Anchor and
//     ParseHex.
//   - svg.go: SVG, the canvas that writes SVG elements, glyphs defined once
//     and used by reference.
//   - raster.go: Raster, the canvas that paints an RGBA image, antialiased,
//     and its PNG.
//   - labels.go: the label fonts (the Go font, and a font with Chinese glyphs
//     found on the machine or named by $WORKBOOK_CJK_FONT), shaping a label,
//     and placing it level or turned.
//   - doc.go: this map.
package canvas
