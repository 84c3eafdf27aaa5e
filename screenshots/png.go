package main

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
)

const freeze = "github.com/charmbracelet/freeze@v0.2.2"

// toPNG turns the ANSI frame in src into dst with freeze, then halves it:
// freeze draws PNGs at four times the SVG's size, which makes a 160×45
// screen 5,500 pixels wide and 2 MB; half of that is still sharp.
func toPNG(src, dst string) error {
	cmd := exec.Command("go", "run", freeze, "--language", "ansi", "--window", "--padding", "20", "-o", dst, src)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("freeze: %v\n%s", err, out)
	}
	if err := halve(dst); err != nil {
		return fmt.Errorf("%s: %w", dst, err)
	}
	return os.Chmod(dst, 0o644) // freeze writes 0600
}

// halve scales the PNG at path down by two, averaging each 2×2 block.
func halve(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		return err
	}
	b := img.Bounds()
	out := image.NewNRGBA(image.Rect(0, 0, b.Dx()/2, b.Dy()/2))
	for y := range out.Rect.Dy() {
		for x := range out.Rect.Dx() {
			var sum [4]uint32
			for _, d := range [4][2]int{{0, 0}, {1, 0}, {0, 1}, {1, 1}} {
				r, g, bl, a := img.At(b.Min.X+2*x+d[0], b.Min.Y+2*y+d[1]).RGBA()
				sum[0], sum[1], sum[2], sum[3] = sum[0]+r, sum[1]+g, sum[2]+bl, sum[3]+a
			}
			i := out.PixOffset(x, y)
			a := sum[3] / 4
			if a == 0 {
				continue
			}
			// RGBA() is premultiplied; NRGBA is not.
			out.Pix[i+0] = uint8(sum[0] / 4 * 0xffff / a >> 8)
			out.Pix[i+1] = uint8(sum[1] / 4 * 0xffff / a >> 8)
			out.Pix[i+2] = uint8(sum[2] / 4 * 0xffff / a >> 8)
			out.Pix[i+3] = uint8(a >> 8)
		}
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	w, err := os.Create(tmp)
	if err != nil {
		return err
	}
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(w, out); err != nil {
		w.Close()
		os.Remove(tmp)
		return err
	}
	if err := w.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}
