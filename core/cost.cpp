// What one layer costs (see cost.hpp): counts from the geometry, and the sentences that show
// the arithmetic with the user's numbers.
#include "core/cost.hpp"

#include <cstdio>
#include <numeric>

namespace cs {
namespace {

const char* const kDot = "\xC2\xB7";        // ·
const char* const kTimes = "\xC3\x97";      // ×
const char* const kArrow = "\xE2\x86\x92";  // →

// "64·3·7·7"
std::string product_text(const std::vector<int64_t>& factors) {
  std::string s;
  for (std::size_t i = 0; i < factors.size(); ++i) {
    if (i) s += kDot;
    s += std::to_string(factors[i]);
  }
  return s;
}

// "64·3·7·7 = 9,408", or just "9,408" when there is one factor.
std::string product_equals(const std::vector<int64_t>& factors, int64_t value) {
  if (factors.size() < 2) return group_digits(value);
  return product_text(factors) + " = " + group_digits(value);
}

// "118.0 M", "9,472": counts of a million and more shortened for a one-line summary.
std::string short_count(int64_t value) {
  const double v = static_cast<double>(value);
  char buf[32];
  if (v >= 1e12) {
    std::snprintf(buf, sizeof buf, "%.1f T", v / 1e12);
  } else if (v >= 1e9) {
    std::snprintf(buf, sizeof buf, "%.1f G", v / 1e9);
  } else if (v >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.1f M", v / 1e6);
  } else {
    return group_digits(value);
  }
  return buf;
}

std::string ratio_text(double r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g%s", r, kTimes);
  return buf;
}

// One conv's counts from its sizes (conv2d, its depthwise and pointwise parts).
LayerCost conv_counts(int64_t n, int64_t c_in_per_group, int64_t c_out, int64_t out_h,
                      int64_t out_w, int64_t k_h, int64_t k_w, bool bias) {
  LayerCost c;
  c.weights = c_out * c_in_per_group * k_h * k_w;
  c.biases = bias ? c_out : 0;
  c.outputs = n * c_out * out_h * out_w;
  c.work_each = c_in_per_group * k_h * k_w;
  c.work = c.outputs * c.work_each;
  return c;
}

// "parameters: 9,472 = weights 64·3·7·7 = 9,408 + bias 64"
std::string parameters_line(const LayerCost& c, const std::vector<int64_t>& weight_factors) {
  std::string s = "parameters: " + group_digits(c.parameters());
  if (c.weights == 0) return s + " (pooling has no weights)";
  s += " = weights " + product_equals(weight_factors, c.weights);
  return s + (c.biases ? " + bias " + group_digits(c.biases) : " (no bias)");
}

// "multiply-adds: 118,013,952 = 1·64·112·112 outputs × 3·7·7 = 147 each"
std::string work_line(const LayerCost& c, const std::vector<int64_t>& output_factors,
                      const std::vector<int64_t>& each_factors, const char* what) {
  return std::string(c.work_unit) + ": " + group_digits(c.work) + " = " +
         product_text(output_factors) + " " + what + " " + kTimes + " " +
         product_equals(each_factors, c.work_each) + " each";
}

}  // namespace

std::string group_digits(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

LayerCost conv2d_layer_cost(const ConvGeometry& g) {
  return conv_counts(g.n, g.c_in_per_group, g.c_out, g.out_h, g.out_w, g.k_h, g.k_w, g.has_bias);
}

LayerCost conv_transpose2d_layer_cost(const ConvTransposeGeometry& g) {
  LayerCost c;
  c.weights = g.c_in * g.c_out_per_group * g.k_h * g.k_w;
  c.biases = g.has_bias ? g.c_out : 0;
  c.outputs = g.n * g.c_in * g.in_h * g.in_w;
  c.work_each = g.c_out_per_group * g.k_h * g.k_w;
  c.work = c.outputs * c.work_each;
  return c;
}

LayerCost pool2d_layer_cost(const PoolGeometry& g) {
  LayerCost c;
  c.outputs = g.outputs();
  c.work_each = g.k_h * g.k_w;
  c.work = c.outputs * c.work_each;
  c.work_unit = g.op == PoolOp::max ? "compares" : "adds";
  return c;
}

SeparableCost separable_cost(const ConvGeometry& g) {
  SeparableCost s;
  s.depthwise = conv_counts(g.n, 1, g.c_in, g.out_h, g.out_w, g.k_h, g.k_w, g.has_bias);
  s.pointwise = conv_counts(g.n, g.c_in, g.c_out, g.out_h, g.out_w, 1, 1, g.has_bias);
  return s;
}

std::vector<std::string> conv2d_cost_lines(const ConvGeometry& g, bool separable) {
  // A conv1d is a conv2d of height 1: its lines leave the height out.
  const bool one_d = g.in_h == 1 && g.k_h == 1 && g.out_h == 1;
  auto spatial = [&](std::vector<int64_t> f, int64_t h, int64_t w) {
    if (!one_d) f.push_back(h);
    f.push_back(w);
    return f;
  };
  const LayerCost c = conv2d_layer_cost(g);
  std::vector<std::string> lines = {
      parameters_line(c, spatial({g.c_out, g.c_in_per_group}, g.k_h, g.k_w)),
      work_line(c, spatial({g.n, g.c_out}, g.out_h, g.out_w),
                spatial({g.c_in_per_group}, g.k_h, g.k_w), "outputs")};
  if (!separable || g.groups != 1) return lines;
  const SeparableCost s = separable_cost(g);
  const std::string kernel =
      one_d ? std::to_string(g.k_w) : std::to_string(g.k_h) + kTimes + std::to_string(g.k_w);
  const std::string pointwise = one_d ? "1" : std::string("1") + kTimes + "1";
  lines.push_back("depthwise-separable equivalent: depthwise " + kernel + " with groups " +
                  std::to_string(g.c_in) + ", then pointwise " + pointwise + " (" +
                  std::to_string(g.c_in) + " " + kArrow + " " + std::to_string(g.c_out) + ")");
  // "  depthwise: 150 parameters (weights 3·1·7·7 = 147 + bias 3), 1,843,968 multiply-adds
  // (1·3·112·112 outputs × 1·7·7 = 49 each)"
  auto part = [&](const char* name, const LayerCost& p, std::vector<int64_t> w,
                  std::vector<int64_t> each, int64_t c_out) {
    const std::string bias = p.biases ? " + bias " + group_digits(p.biases) : ", no bias";
    return std::string("  ") + name + ": " + group_digits(p.parameters()) +
           " parameters (weights " + product_equals(w, p.weights) + bias + "), " +
           group_digits(p.work) + " multiply-adds (" +
           product_text(spatial({g.n, c_out}, g.out_h, g.out_w)) + " outputs " + kTimes + " " +
           product_equals(each, p.work_each) + " each)";
  };
  lines.push_back(part("depthwise", s.depthwise, spatial({g.c_in, 1}, g.k_h, g.k_w),
                       spatial({1}, g.k_h, g.k_w), g.c_in));
  lines.push_back(part("pointwise", s.pointwise, spatial({g.c_out, g.c_in}, 1, 1),
                       spatial({g.c_in}, 1, 1), g.c_out));
  const double p_ratio = static_cast<double>(s.parameters()) / static_cast<double>(c.parameters());
  const double w_ratio = static_cast<double>(s.work()) / static_cast<double>(c.work);
  const std::string k_area = one_d ? std::to_string(g.k_w) : std::to_string(g.k_h * g.k_w);
  lines.push_back("  together: " + group_digits(s.parameters()) + " parameters (" +
                  ratio_text(p_ratio) + " the layer's), " + group_digits(s.work()) +
                  " multiply-adds (" + ratio_text(w_ratio) + " = 1/" + std::to_string(g.c_out) +
                  " + 1/" + k_area + ")");
  return lines;
}

std::vector<std::string> conv_transpose2d_cost_lines(const ConvTransposeGeometry& g) {
  const LayerCost c = conv_transpose2d_layer_cost(g);
  return {parameters_line(c, {g.c_in, g.c_out_per_group, g.k_h, g.k_w}),
          work_line(c, {g.n, g.c_in, g.in_h, g.in_w}, {g.c_out_per_group, g.k_h, g.k_w},
                    "input cells")};
}

std::vector<std::string> pool2d_cost_lines(const PoolGeometry& g) {
  const LayerCost c = pool2d_layer_cost(g);
  return {parameters_line(c, {}),
          work_line(c, {g.n, g.c_out, g.out_h, g.out_w}, {g.k_h, g.k_w}, "outputs")};
}

std::string cost_summary(const LayerCost& c) {
  return group_digits(c.parameters()) + " parameters, " + short_count(c.work) + " " + c.work_unit;
}

std::string separable_summary(const LayerCost& layer, const SeparableCost& sep) {
  const double p_ratio =
      static_cast<double>(sep.parameters()) / static_cast<double>(layer.parameters());
  const double w_ratio = static_cast<double>(sep.work()) / static_cast<double>(layer.work);
  return "depthwise-separable: " + group_digits(sep.parameters()) + " parameters (" +
         ratio_text(p_ratio) + "), " + short_count(sep.work()) + " multiply-adds (" +
         ratio_text(w_ratio) + ")";
}

std::vector<int> common_divisors(int64_t a, int64_t b) {
  if (a < 1 || b < 1) return {1};
  const int64_t g = std::gcd(a, b);
  std::vector<int> out;
  for (int64_t d = 1; d <= g; ++d) {
    if (g % d == 0) out.push_back(static_cast<int>(d));
  }
  return out;
}

}  // namespace cs
