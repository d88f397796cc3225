// `convscope receptive-field --layers L.json --input-shape N,C,H,W [--at Y,X] [--json]`: the
// table of core/receptive_field.hpp with the recurrence written out with the user's numbers, and
// the box one output cell of the last layer depends on. Depends on core/ only.
#include "app/cli/cli_receptive.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/cli/cli_common.hpp"
#include "core/layers.hpp"
#include "core/receptive_field.hpp"

namespace cs::cli {
namespace {

const char* kTimes = "\xC3\x97";  // ×

const CommandSpec& receptive_field_spec() {
  static const CommandSpec spec{
      "receptive-field",
      "--layers L.json --input-shape N,C,H,W [--at Y,X] [--json]",
      "Prints, for each layer of a layers file (the `render --layers` format), its output shape\n"
      "and the receptive field of its cells: the size (input rows \xC3\x97 columns one cell's\n"
      "field spans, padding counted), the jump (input rows \xC3\x97 columns between neighbouring\n"
      "cells' fields: the product of the strides) and the start (the first input row, column of\n"
      "cell (0, 0)'s field; negative in the padding), with the recurrence written out.\n"
      "--at Y,X adds the box of input rows and columns that cell (Y, X) of the last layer's\n"
      "output depends on: exactly the cells whose value changes it, clipped to the input, with\n"
      "the part of its field that lies in the padding counted apart.",
      {
          {"--layers", "L.json", "the layer stack (docs/gpu.md, \"The --layers format\")",
           "--layers needs a file, like --layers pipeline.json"},
          {"--input-shape", "N,C,H,W", "the input's shape, like 1,3,224,224"},
          {"--at", "Y,X", "a cell of the last layer's output (row, column from 0)"},
          {"--json", nullptr, "print one JSON object instead of the table"},
      },
      "  convscope receptive-field --layers pipeline.json --input-shape 1,3,224,224\n"
      "  convscope receptive-field --layers pipeline.json --input-shape 1,3,64,64 --at 0,0\n"};
  return spec;
}

// Display columns of UTF-8 text (continuation bytes take none).
std::size_t columns(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    n += (c & 0xC0) != 0x80;
  return n;
}

std::string padded(const std::string& s, std::size_t width) {
  return s + std::string(width > columns(s) ? width - columns(s) : 1, ' ');
}

std::string size_text(const RfAxisRow& a) {
  return a.size_min == a.size_max
             ? signed_text(a.size_max)
             : signed_text(a.size_min) + "\xE2\x80\x93" + signed_text(a.size_max);
}
std::string jump_text(const Ratio& r) {
  return r.den == 1 ? signed_text(r.num) : signed_text(r.num) + "/" + signed_text(r.den);
}
std::string start_text(const RfAxisRow& a) {
  return a.field0.empty() ? "none" : signed_text(a.field0.lo);
}

Result<Shape> input_shape_from(const Args& args) {
  Result<Shape> shape = parse_shape("--input-shape", *args.get("--input-shape"), 4);
  if (!shape) return shape.error();
  for (int64_t d : *shape) {
    if (d < 1) {
      return make_error("--input-shape " + *args.get("--input-shape") +
                            " has a dimension below 1; N, C, H and W are each at least 1",
                        "--input-shape");
    }
  }
  return shape;
}

// --at Y,X inside the last layer's output.
Result<std::pair<int64_t, int64_t>> cell_from(const Args& args, const RfLayer& last) {
  const std::string& text = *args.get("--at");
  Result<Shape> yx = parse_shape("--at", text, 2);
  if (!yx) {
    return make_error("--at " + text + " is not a cell like 3,4 (row, column from 0)", "--at");
  }
  const int64_t y = (*yx)[0], x = (*yx)[1];
  if (y < 0 || y >= last.h.out || x < 0 || x >= last.w.out) {
    return make_error("--at " + text + " is outside the last layer's " +
                          std::to_string(last.h.out) + kTimes + std::to_string(last.w.out) +
                          " output; rows go from 0 to " + std::to_string(last.h.out - 1) +
                          ", columns from 0 to " + std::to_string(last.w.out - 1),
                      "--at");
  }
  return std::make_pair(y, x);
}

void print_table(const std::string& file, const Shape& input, const std::vector<RfLayer>& stack,
                 const std::vector<RfRow>& table) {
  std::printf("receptive fields of %s on an input of %s (N, C, H, W); rows %s columns\n",
              file.c_str(), shape_list(input).c_str(), kTimes);
  std::size_t name_width = 8;
  for (const RfRow& r : table)
    name_width = std::max(name_width, columns(r.name) + 2);
  std::printf("%s%s%s%s%s\n", padded("  layer", name_width + 2).c_str(),
              padded("output", 18).c_str(), padded("size", 10).c_str(), padded("jump", 10).c_str(),
              "start");
  std::printf("  %s%s%s%s%s\n", padded("input", name_width).c_str(),
              padded(shape_list(input), 18).c_str(),
              padded(std::string("1") + kTimes + "1", 10).c_str(),
              padded(std::string("1") + kTimes + "1", 10).c_str(), "0, 0");
  for (std::size_t i = 0; i < table.size(); ++i) {
    const RfRow& r = table[i];
    const Shape out{input[0], r.channels, r.h.out, r.w.out};
    std::printf("  %s%s%s%s%s, %s\n", padded(r.name, name_width).c_str(),
                padded(shape_list(out), 18).c_str(),
                padded(size_text(r.h) + kTimes + size_text(r.w), 10).c_str(),
                padded(jump_text(r.h.jump) + kTimes + jump_text(r.w.jump), 10).c_str(),
                start_text(r.h).c_str(), start_text(r.w).c_str());
    if (!r.exact_recurrence) {
      std::printf(
          "      (after a transposed layer the fields differ from cell to cell: sizes and\n"
          "       jump come from each cell's field worked out layer by layer)\n");
      continue;
    }
    const std::string rows = rf_recurrence_text(stack, i, true);
    const std::string cols = rf_recurrence_text(stack, i, false);
    if (rows == cols) {
      std::printf("      rows and columns: %s\n", rows.c_str());
    } else {
      std::printf("      rows: %s\n      columns: %s\n", rows.c_str(), cols.c_str());
    }
  }
  std::printf(
      "size: input rows %s columns one cell's field spans, padding counted; jump: from one\n"
      "cell's field to the next one's (the product of the strides); start: the first row,\n"
      "column of cell (0, 0)'s field.\n",
      kTimes);
}

// "rows 5 to 16" / "no row"
std::string span_text(const Span& s, const char* what) {
  if (s.empty()) return std::string("no ") + what;
  return std::string(what) + "s " + signed_text(s.lo) + " to " + signed_text(s.hi);
}

std::string field_text(const RfAxisBox& b, const char* what, const char* before,
                       const char* after) {
  if (b.field.empty()) return std::string("no ") + what;
  std::string t = span_text(b.field, what) + " (" + std::to_string(b.field.size()) + "; ";
  if (b.pad_before == 0 && b.pad_after == 0) return t + "none in the padding)";
  return t + std::to_string(b.pad_before) + " in the padding " + before + ", " +
         std::to_string(b.pad_after) + " " + after + ")";
}

void print_at(const Shape& input, std::size_t layers, int64_t y, int64_t x, const RfBox& b) {
  std::printf("\ncell (%lld, %lld) of layer %zu's output depends on input ",
              static_cast<long long>(y), static_cast<long long>(x), layers);
  if (b.y.depends.empty() || b.x.depends.empty()) {
    std::printf("cells: none (a transposed layer gives it its bias alone)\n");
  } else {
    std::printf("%s and %s (%lld%s%lld cells of the %lld%s%lld input)\n",
                span_text(b.y.depends, "row").c_str(), span_text(b.x.depends, "column").c_str(),
                static_cast<long long>(b.y.depends.size()), kTimes,
                static_cast<long long>(b.x.depends.size()), static_cast<long long>(input[2]),
                kTimes, static_cast<long long>(input[3]));
  }
  std::printf("its field: %s,\n           %s\n",
              field_text(b.y, "row", "above row 0", "below the last row").c_str(),
              field_text(b.x, "column", "left of column 0", "right of the last column").c_str());
  if (!(b.y.depends ==
        Span{std::max<int64_t>(b.y.field.lo, 0), std::min<int64_t>(b.y.field.hi, input[2] - 1)}) ||
      !(b.x.depends ==
        Span{std::max<int64_t>(b.x.field.lo, 0), std::min<int64_t>(b.x.field.hi, input[3] - 1)})) {
    std::printf(
        "(the box differs from the field inside the input: a later layer's padding, a stride\n"
        " that drops the last rows, or reflect/replicate/circular padding that reads real "
        "cells)\n");
  }
}

nlohmann::ordered_json axis_json(const RfAxisRow& a) {
  nlohmann::ordered_json j;
  j["size_min"] = a.size_min;
  j["size_max"] = a.size_max;
  j["jump"] = {a.jump.num, a.jump.den};
  j["start"] = a.field0.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(a.field0.lo);
  return j;
}

nlohmann::ordered_json box_json(const RfAxisBox& b) {
  auto or_null = [](bool empty, int64_t v) {
    return empty ? nlohmann::ordered_json() : nlohmann::ordered_json(v);
  };
  nlohmann::ordered_json j;
  j["first"] = or_null(b.depends.empty(), b.depends.lo);
  j["last"] = or_null(b.depends.empty(), b.depends.hi);
  j["field_first"] = or_null(b.field.empty(), b.field.lo);
  j["field_last"] = or_null(b.field.empty(), b.field.hi);
  j["padding_before"] = b.pad_before;
  j["padding_after"] = b.pad_after;
  return j;
}

void print_json(const std::string& file, const Shape& input, const std::vector<RfRow>& table,
                const std::optional<std::pair<int64_t, int64_t>>& at, const RfBox* box) {
  nlohmann::ordered_json j;
  j["layers_file"] = file;
  j["input_shape"] = input;
  j["layers"] = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < table.size(); ++i) {
    const RfRow& r = table[i];
    nlohmann::ordered_json l;
    l["layer"] = i + 1;
    l["name"] = r.name;
    l["kind"] = rf_kind_name(r.kind);
    l["output_shape"] = Shape{input[0], r.channels, r.h.out, r.w.out};
    l["rows"] = axis_json(r.h);
    l["columns"] = axis_json(r.w);
    j["layers"].push_back(l);
  }
  if (at && box) {
    j["at"] = {{"y", at->first}, {"x", at->second}};
    j["at"]["rows"] = box_json(box->y);
    j["at"]["columns"] = box_json(box->x);
  }
  std::printf("%s\n", j.dump().c_str());
}

}  // namespace

int run_receptive_field(int argc, char** argv) {
  const std::string cmd = "receptive-field";
  const CommandSpec& spec = receptive_field_spec();
  if (wants_help(argc, argv, 2)) return print_usage(spec);
  auto args = parse_args(argc, argv, 2, spec);
  if (!args) return fail(cmd, args.error());
  if (auto s = no_positional(*args, spec); !s) return fail(cmd, s.error());
  if (auto s = require(*args, spec, {"--layers", "--input-shape"}); !s) return fail(cmd, s.error());
  auto input = input_shape_from(*args);
  if (!input) return fail(cmd, input.error());
  const std::string& file = *args->get("--layers");
  auto layers = load_layers(file);
  if (!layers) return fail(cmd, layers.error());
  auto stack = rf_layers(*layers, *input, file);
  if (!stack) return fail(cmd, stack.error());
  std::optional<std::pair<int64_t, int64_t>> at;
  std::optional<RfBox> box;
  if (args->has("--at")) {
    auto cell = cell_from(*args, stack->back());
    if (!cell) return fail(cmd, cell.error());
    at = *cell;
    box = rf_box(*stack, at->first, at->second);
  }
  const std::vector<RfRow> table = rf_table(*stack);
  if (args->has("--json")) {
    print_json(file, *input, table, at, box ? &*box : nullptr);
    return kExitOk;
  }
  print_table(file, *input, *stack, table);
  if (box) print_at(*input, stack->size(), at->first, at->second, *box);
  return kExitOk;
}

}  // namespace cs::cli
