// Colour vision checks of the window's colours, without a window: the diverging palettes
// (app/gpu/display_map.cpp, what cells and the preview are coloured with) and the themes' palettes
// (app/ui/ui_theme.cpp) seen through simulations of protanopia, deuteranopia and tritanopia.
//
// The simulations are written here from their papers (no code copied):
//   Machado, Oliveira & Fernandes 2009, "A physiologically-based model for simulation of color
//   vision deficiency": one 3×3 matrix per deficiency at severity 1.0, applied to linear sRGB.
//   Viénot, Brettel & Mollon 1999, "Digital video colourmaps for checking the legibility of
//   displays by dichromats": in LMS space the missing cone's response is replaced by a
//   combination of the other two chosen so that white and the sRGB blue primary are seen
//   unchanged; the matrix is derived below from sRGB→XYZ and Hunt–Pointer–Estévez XYZ→LMS.
// Colour differences are CIE 1976 ΔE*ab in CIELAB (D65): about 2.3 is just noticeable.
//
// Thresholds (documented in docs/ui.md, "Look and feel"):
//   sign      ΔE(colour(−t), colour(+t)) ≥ 40·|t| for |t| = ¼, ½, ¾, 1 under every simulation: a
//             value a quarter of the range from 0 already differs from its negative by ≥ 10
//             (four just-noticeable differences), the two ends by ≥ 40.
//   size      L* falls strictly with |t| on both sides under every simulation (size reads as
//             lightness whatever the hue).
//   now/frame the accent ("now") and the window's colour differ by ΔE ≥ 30 under every
//             simulation, in every theme.
//   contrast  WCAG 2 contrast on the surface: text ≥ 7, dim text ≥ 4.5, the accent as text ≥ 4.5,
//             the accent and the window's colour as lines ≥ 3; numbers on any cell colour ≥ 4.5.
// Set CONVSCOPE_PALETTE_PNG=out.png to keep the palettes as each simulation sees them (to look).
#include <gtest/gtest.h>
#include <imgui.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "app/gpu/display_map.hpp"
#include "app/ui/ui_theme.hpp"
#include "core/image_io.hpp"

namespace {

using Vec3 = std::array<double, 3>;
using Mat3 = std::array<Vec3, 3>;
using cs::gpu::DivergingPalette;

Vec3 mul(const Mat3& m, const Vec3& v) {
  Vec3 r{};
  for (int i = 0; i < 3; ++i)
    r[i] = m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2];
  return r;
}

Mat3 mul(const Mat3& a, const Mat3& b) {
  Mat3 r{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k)
        r[i][j] += a[i][k] * b[k][j];
  return r;
}

Mat3 inverse(const Mat3& m) {
  const double a = m[0][0], b = m[0][1], c = m[0][2], d = m[1][0], e = m[1][1], f = m[1][2],
               g = m[2][0], h = m[2][1], i = m[2][2];
  const double det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return {{{(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det},
           {(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det},
           {(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det}}};
}

// sRGB byte => linear light in [0, 1] (IEC 61966-2-1).
double to_linear(double byte) {
  const double c = byte / 255.0;
  return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

Vec3 linear_rgb(ImU32 colour) {
  return {to_linear(colour & 0xFF), to_linear((colour >> 8) & 0xFF),
          to_linear((colour >> 16) & 0xFF)};
}

const Mat3 k_rgb_to_xyz = {
    {{0.4124, 0.3576, 0.1805}, {0.2126, 0.7152, 0.0722}, {0.0193, 0.1192, 0.9505}}};

// Linear sRGB => CIELAB, D65 white.
Vec3 lab(const Vec3& rgb) {
  const Vec3 xyz = mul(k_rgb_to_xyz, rgb);
  const Vec3 white = {0.95047, 1.0, 1.08883};
  auto f = [](double t) {
    const double d = 6.0 / 29.0;
    return t > d * d * d ? std::cbrt(t) : t / (3 * d * d) + 4.0 / 29.0;
  };
  const double fx = f(xyz[0] / white[0]), fy = f(xyz[1] / white[1]), fz = f(xyz[2] / white[2]);
  return {116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)};
}

double delta_e(const Vec3& lab_a, const Vec3& lab_b) {
  return std::hypot(lab_a[0] - lab_b[0], lab_a[1] - lab_b[1], lab_a[2] - lab_b[2]);
}

double luminance(const Vec3& rgb) {
  return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
}

// WCAG 2 contrast ratio of two colours.
double contrast(ImU32 a, ImU32 b) {
  const double la = luminance(linear_rgb(a)), lb = luminance(linear_rgb(b));
  return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

// Machado et al. 2009, Table 1, severity 1.0 (linear RGB).
const Mat3 k_machado_protan = {{{0.152286, 1.052583, -0.204868},
                                {0.114503, 0.786281, 0.099216},
                                {-0.003882, -0.048116, 1.051998}}};
const Mat3 k_machado_deutan = {{{0.367322, 0.860646, -0.227968},
                                {0.280085, 0.672501, 0.047413},
                                {-0.011820, 0.042940, 0.968881}}};
const Mat3 k_machado_tritan = {{{1.255528, -0.076749, -0.178779},
                                {-0.078411, 0.930809, 0.147602},
                                {0.004733, 0.691367, 0.303900}}};

// Viénot et al. 1999 for a missing L (cone 0, protanopia) or M (cone 1, deuteranopia) cone: the
// lost response becomes a·(one remaining) + c·(S), with a and c solved so that white and the
// sRGB blue primary keep their LMS values; back to linear RGB.
Mat3 vienot(int missing) {
  const Mat3 hpe = {
      {{0.40024, 0.70760, -0.08081}, {-0.22630, 1.16532, 0.04570}, {0.0, 0.0, 0.91822}}};
  const Mat3 rgb_to_lms = mul(hpe, k_rgb_to_xyz);
  const Vec3 w = mul(rgb_to_lms, Vec3{1, 1, 1}), b = mul(rgb_to_lms, Vec3{0, 0, 1});
  const int i = missing, j = missing == 0 ? 1 : 0, k = 2;
  const double det = w[j] * b[k] - w[k] * b[j];
  const double a = (w[i] * b[k] - w[k] * b[i]) / det;
  const double c = (w[j] * b[i] - w[i] * b[j]) / det;
  Mat3 project = {{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}};
  project[i] = {0, 0, 0};
  project[i][j] = a;
  project[i][k] = c;
  return mul(inverse(rgb_to_lms), mul(project, rgb_to_lms));
}

struct Vision {
  std::string name;
  Mat3 m;
};

const std::vector<Vision>& visions() {
  static const std::vector<Vision> v = {
      {"normal", {{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}}},
      {"protanopia (Machado)", k_machado_protan},
      {"deuteranopia (Machado)", k_machado_deutan},
      {"tritanopia (Machado)", k_machado_tritan},
      {"protanopia (Viénot)", vienot(0)},
      {"deuteranopia (Viénot)", vienot(1)},
  };
  return v;
}

// What `vision` sees of a colour, as CIELAB (out-of-gamut results clipped like a display would).
Vec3 seen(const Vision& vision, ImU32 colour) {
  Vec3 rgb = mul(vision.m, linear_rgb(colour));
  for (double& c : rgb)
    c = std::clamp(c, 0.0, 1.0);
  return lab(rgb);
}

using ColourMap = std::function<ImU32(double)>;  // t in [−1, 1] => colour

ColourMap palette_map(DivergingPalette p) {
  return [p](double t) {
    uint8_t rgb[3];
    cs::gpu::diverging_colour(static_cast<float>(t), rgb, p);
    return IM_COL32(rgb[0], rgb[1], rgb[2], 255);
  };
}

// The first way `map` fails the sign and size rules under `vision`, or "".
std::string check_map(const ColourMap& map, const Vision& vision) {
  for (double t : {0.25, 0.5, 0.75, 1.0}) {
    const double d = delta_e(seen(vision, map(-t)), seen(vision, map(t)));
    if (d < 40.0 * t) {
      return vision.name + ": −" + std::to_string(t) + " and +" + std::to_string(t) + " are " +
             std::to_string(d) + " ΔE apart, need " + std::to_string(40.0 * t);
    }
  }
  for (double side : {-1.0, 1.0}) {
    double last = seen(vision, map(0))[0];
    for (int i = 1; i <= 16; ++i) {
      const double l = seen(vision, map(side * i / 16.0))[0];
      if (l >= last) {
        return vision.name + ": lightness does not fall at t = " + std::to_string(side * i / 16.0);
      }
      last = l;
    }
  }
  return {};
}

TEST(ColourVision, TheSimulationsAreSound) {
  for (const Vision& v : visions()) {
    // White stays white and black black: every row sums to 1.
    for (int i = 0; i < 3; ++i)
      EXPECT_NEAR(v.m[i][0] + v.m[i][1] + v.m[i][2], 1.0, 1e-5) << v.name << " row " << i;
  }
  // Two independent models of the same dichromacy see nearly the same colours (a mistyped
  // coefficient would not): median ΔE between Machado and Viénot under 12 on random colours.
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int pair : {1, 2}) {
    std::vector<double> d;
    for (int i = 0; i < 400; ++i) {
      const ImU32 c = IM_COL32(byte(rng), byte(rng), byte(rng), 255);
      d.push_back(delta_e(seen(visions()[static_cast<std::size_t>(pair)], c),
                          seen(visions()[static_cast<std::size_t>(pair + 3)], c)));
    }
    std::nth_element(d.begin(), d.begin() + 200, d.end());
    EXPECT_LT(d[200], 12.0) << visions()[static_cast<std::size_t>(pair)].name;
  }
  // Protanopes and deuteranopes see at most half the difference between a red and a green of
  // similar lightness; the sRGB blue primary (an anchor of Viénot's plane) looks the same to them.
  const ImU32 red = IM_COL32(200, 90, 60, 255), green = IM_COL32(110, 150, 60, 255);
  const double normal = delta_e(seen(visions()[0], red), seen(visions()[0], green));
  EXPECT_GT(normal, 40.0);
  for (int i : {1, 2, 4, 5}) {
    EXPECT_LT(delta_e(seen(visions()[static_cast<std::size_t>(i)], red),
                      seen(visions()[static_cast<std::size_t>(i)], green)),
              normal / 2)
        << visions()[static_cast<std::size_t>(i)].name;
  }
  const ImU32 blue = IM_COL32(0, 0, 255, 255);
  for (int i : {4, 5}) {
    EXPECT_LT(delta_e(seen(visions()[static_cast<std::size_t>(i)], blue), seen(visions()[0], blue)),
              1.0);
  }
}

// Both diverging palettes keep sign (hue, then lightness) and size (lightness) readable under
// every simulation. The check itself fails a red–green map, the classic mistake.
TEST(ColourVision, DivergingPalettesKeepSignAndSize) {
  for (DivergingPalette p : {DivergingPalette::red_blue, DivergingPalette::blue_orange}) {
    for (const Vision& v : visions()) {
      EXPECT_EQ(check_map(palette_map(p), v), "") << cs::gpu::diverging_palette_name(p);
    }
  }
  const ColourMap red_green = [](double t) {
    const double a = std::fabs(t);
    const double end[3] = {t < 0 ? 40.0 : 200.0, t < 0 ? 150.0 : 40.0, 40.0};
    auto ch = [&](int i) { return static_cast<int>(247 + (end[i] - 247) * a + 0.5); };
    return IM_COL32(ch(0), ch(1), ch(2), 255);
  };
  EXPECT_EQ(check_map(red_green, visions()[0]), "") << "a red–green map is fine for most eyes";
  EXPECT_NE(check_map(red_green, visions()[2]), "") << "but not for a deuteranope";
}

// The blue–orange map is the colour-blind-safe choice: at every |t|, the sign gap seen by the
// least favoured vision (any simulation) is wider than red–blue's.
TEST(ColourVision, BlueOrangeSeparatesSignBetterForTheLeastFavouredEye) {
  for (double t : {0.125, 0.25, 0.5, 0.75, 1.0}) {
    auto worst = [&](DivergingPalette p) {
      const ColourMap m = palette_map(p);
      double least = 1e9;
      for (const Vision& v : visions())
        least = std::min(least, delta_e(seen(v, m(-t)), seen(v, m(t))));
      return least;
    };
    EXPECT_GT(worst(DivergingPalette::blue_orange), worst(DivergingPalette::red_blue))
        << "|t| = " << t;
  }
}

struct Theme {
  const char* name;
  bool dark, high_contrast;
};
const Theme k_themes[] = {
    {"light", false, false}, {"dark", true, false}, {"high contrast", false, true}};

// "Now" (the accent) and "the window" (the frame) are never confused, in any theme, under any
// simulation. (High contrast's old pure green frame was 5 ΔE from its orange under protanopia.)
TEST(ColourVision, NowAndTheWindowStayApart) {
  for (const Theme& th : k_themes) {
    const cs::ui::Palette p = cs::ui::make_palette(th.dark, th.high_contrast, 1.0f);
    EXPECT_EQ(p.current_out, p.tap) << th.name << ": one accent means now";
    for (const Vision& v : visions()) {
      EXPECT_GE(delta_e(seen(v, p.tap), seen(v, p.frame)), 30.0) << th.name << ", " << v.name;
    }
  }
}

TEST(ColourVision, TextAndMarksHaveContrastOnTheSurface) {
  for (const Theme& th : k_themes) {
    const cs::ui::Palette p = cs::ui::make_palette(th.dark, th.high_contrast, 1.0f);
    const ImU32 bg = p.canvas_bg;
    EXPECT_GE(contrast(p.text, bg), 7.0) << th.name;
    EXPECT_GE(contrast(p.accent, bg), 7.0) << th.name << " (headings)";
    EXPECT_GE(contrast(p.text_dim, bg), 4.5) << th.name;
    EXPECT_GE(contrast(p.error, bg), 4.5) << th.name;
    EXPECT_GE(contrast(ImGui::ColorConvertFloat4ToU32(p.tap_v4), bg), 4.5) << th.name;
    EXPECT_GE(contrast(p.tap, bg), 3.0) << th.name;
    EXPECT_GE(contrast(p.frame, bg), 3.0) << th.name;
    EXPECT_GE(contrast(p.input_border, bg), 3.0) << th.name;
  }
}

// Colour is never the only carrier: every cell writes its number, and the number reads on the
// cell whatever its colour (text_colour_on picks black or white), in both palettes.
TEST(ColourVision, NumbersReadOnEveryCellColour) {
  for (DivergingPalette p : {DivergingPalette::red_blue, DivergingPalette::blue_orange}) {
    cs::gpu::set_diverging_palette(p);
    for (int i = -64; i <= 64; ++i) {
      for (bool pale : {false, true}) {
        const ImU32 cell = cs::ui::value_colour(i / 64.0, 1.0, pale);
        EXPECT_GE(contrast(cs::ui::text_colour_on(cell), cell), 4.5)
            << cs::gpu::diverging_palette_name(p) << " t = " << i / 64.0 << (pale ? " pale" : "");
      }
    }
  }
  cs::gpu::set_diverging_palette(DivergingPalette::red_blue);
}

// Padding cells write what they read in pad_text, on pad_fill (zeros) or on the read value's
// colour made paler (other padding modes): readable in every theme, whatever the value. (The
// light theme's grey on a pale red was 2:1 before.)
TEST(ColourVision, PaddingNumbersReadInEveryTheme) {
  for (const Theme& th : k_themes) {
    const cs::ui::Palette p = cs::ui::make_palette(th.dark, th.high_contrast, 1.0f);
    EXPECT_GE(contrast(p.pad_text, p.pad_fill), 4.5) << th.name;
    for (DivergingPalette d : {DivergingPalette::red_blue, DivergingPalette::blue_orange}) {
      for (int i = -64; i <= 64; ++i) {
        const ImU32 cell = cs::ui::paler(palette_map(d)(i / 64.0), p);
        EXPECT_GE(contrast(p.pad_text, cell), 4.5)
            << th.name << ", " << cs::gpu::diverging_palette_name(d) << " t = " << i / 64.0;
      }
    }
  }
}

// Each palette as each vision sees it, one strip per vision, into CONVSCOPE_PALETTE_PNG (what
// scripts/make-screenshots.sh does for docs/images/palette-colour-vision.png), or into a
// temporary file that is read back: the left end of every strip is the negative end, the right
// the positive, and the middle the centre white, as the simulation maps them.
TEST(ColourVision, WritesTheSimulatedStrips) {
  const char* asked = std::getenv("CONVSCOPE_PALETTE_PNG");
  const std::string out = asked != nullptr && *asked != '\0'
                              ? std::string(asked)
                              : (std::filesystem::temp_directory_path() /
                                 ("convscope-palette-" + std::to_string(::getpid()) + ".png"))
                                    .string();
  const int width = 512, strip = 28, gap = 6;
  const int rows = 2 * static_cast<int>(visions().size());
  cs::Image img;
  img.width = width;
  img.height = rows * (strip + gap);
  img.channels = 3;
  img.pixels.assign(static_cast<std::size_t>(img.width * img.height * 3), 255);
  int row = 0;
  for (DivergingPalette p : {DivergingPalette::red_blue, DivergingPalette::blue_orange}) {
    for (const Vision& v : visions()) {
      for (int x = 0; x < width; ++x) {
        Vec3 rgb = mul(v.m, linear_rgb(palette_map(p)(-1.0 + 2.0 * x / (width - 1))));
        for (int ch = 0; ch < 3; ++ch) {
          const double c = std::clamp(rgb[static_cast<std::size_t>(ch)], 0.0, 1.0);
          const double s = c <= 0.0031308 ? 12.92 * c : 1.055 * std::pow(c, 1 / 2.4) - 0.055;
          for (int y = 0; y < strip; ++y) {
            img.pixels[static_cast<std::size_t>(((row * (strip + gap) + y) * width + x) * 3 + ch)] =
                static_cast<uint8_t>(std::lround(s * 255));
          }
        }
      }
      ++row;
    }
  }
  ASSERT_TRUE(cs::write_png(out, img).has_value());
  auto back = cs::load_image(out);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(back->width, width);
  EXPECT_EQ(back->height, img.height);
  // Normal vision's red–blue strip: blue on the left, white in the middle, red on the right.
  auto px = [&](int x, int ch) {
    return back->pixels[static_cast<std::size_t>((strip / 2 * width + x) * back->channels + ch)];
  };
  EXPECT_GT(px(0, 2), px(0, 0));
  EXPECT_GT(px(width - 1, 0), px(width - 1, 2));
  EXPECT_GT(px(width / 2, 1), 240);
  if (asked == nullptr || *asked == '\0') std::filesystem::remove(out);
}

}  // namespace
