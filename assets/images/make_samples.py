#!/usr/bin/python3
# Makes ConvScope's sample photos procedurally (no downloaded pictures): a landscape with sharp
# and soft edges, a checkerboard and fine stripes, so every kernel preset shows something.
# Run: /usr/bin/python3 assets/images/make_samples.py  (needs numpy and Pillow)
import os

import numpy as np
from PIL import Image

here = os.path.dirname(os.path.abspath(__file__))


def landscape(w, h):
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    u, v = x / w, y / h
    img = np.zeros((h, w, 3))
    # Sky: a vertical gradient from deep blue to pale orange near the horizon.
    sky_top, sky_low = np.array([40, 90, 170]), np.array([250, 200, 150])
    img[:] = sky_top + (sky_low - sky_top) * (v[..., None] / 0.62).clip(0, 1)
    # Sun: a hard-edged disc with a soft glow.
    d = np.hypot(u - 0.72, (v - 0.30) * h / w)
    glow = np.exp(-(d / 0.09) ** 2)[..., None]
    img = img * (1 - 0.5 * glow) + np.array([255, 230, 160]) * 0.5 * glow
    img[d < 0.045] = [255, 245, 210]
    # Hills: two layers of sines, dark green and darker green.
    for base, amp, freq, colour in [(0.62, 0.06, 3.0, [70, 120, 60]), (0.75, 0.05, 5.3, [40, 85, 40])]:
        ridge = base + amp * np.sin(2 * np.pi * freq * u + 1.3) + 0.02 * np.sin(2 * np.pi * 17 * u)
        img[v > ridge] = colour
    # A house: a red wall, a dark roof, a window checkerboard.
    wall = (u > 0.18) & (u < 0.34) & (v > 0.62) & (v < 0.82)
    img[wall] = [190, 60, 50]
    roof = (v > 0.52) & (v <= 0.62) & (np.abs(u - 0.26) < (v - 0.52) * 0.85 + 0.005)
    img[roof] = [60, 40, 40]
    win = (u > 0.21) & (u < 0.26) & (v > 0.66) & (v < 0.74)
    checker = ((x // 6 + y // 6) % 2 == 0)
    img[win & checker] = [250, 250, 220]
    img[win & ~checker] = [30, 30, 60]
    # Fence: fine vertical stripes along the bottom (high frequency for sharpen/Sobel).
    fence = (v > 0.86) & (v < 0.93) & ((x // 4) % 2 == 0)
    img[fence] = [230, 220, 200]
    # A little noise so blurs have something to smooth.
    rng = np.random.default_rng(3)
    img += rng.normal(0, 1.5, img.shape)
    return img.clip(0, 255).astype(np.uint8)


def main():
    big = landscape(960, 540)
    Image.fromarray(big).save(os.path.join(here, "landscape.png"), optimize=True)
    Image.fromarray(big).save(os.path.join(here, "landscape.jpg"), quality=90)
    # A small grey image for the lessons and quick tests.
    y, x = np.mgrid[0:64, 0:64]
    grey = np.where((x // 8 + y // 8) % 2 == 0, 220, 40).astype(np.uint8)
    grey[20:44, 20:44] = 128
    Image.fromarray(grey, mode="L").save(os.path.join(here, "checker-grey.png"), optimize=True)


if __name__ == "__main__":
    main()
