// "Copy as PyTorch / Keras" (see ui_copy_code.hpp).
#include "app/ui/ui_copy_code.hpp"

#include <imgui.h>

#include "core/file_io.hpp"

namespace cs::ui {

Result<std::string> lesson_script(const AppState& s, cli::ExportTarget target) {
  std::string name;
  for (char c : s.lesson_name)
    name += std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_';
  cli::InlineOperands keep;
  const Tensor* bias = s.has_bias && s.op != LessonOp::pool ? &s.bias : nullptr;
  if (auto st = check_lesson_framework(s.op, s.framework); !st) return st.error();
  // Under Keras's rules, its padding resolved per side: the Keras script says 'same' again.
  auto conv = conv_params_as_run(s);
  auto pool = pool_params_as_run(s);
  const Error* refused = s.op == LessonOp::conv && !conv   ? &conv.error()
                         : s.op == LessonOp::pool && !pool ? &pool.error()
                                                           : nullptr;
  if (refused) return *refused;
  auto layer = cli::lesson_export_layer(s.op, s.input, s.weight, bias, conv ? *conv : s.conv,
                                        pool ? *pool : s.pool, s.transpose, s.flip_kernel,
                                        "convscope_" + name + ".npy", keep);
  if (!layer) return layer.error();
  layer->command = "ConvScope's lesson \"" + s.lesson_title + "\"" +
                   (s.modified ? " (modified)" : "") + "; the tensors are written inline";
  return cli::export_script(*layer, target);
}

Status copy_lesson_script(AppState& s, cli::ExportTarget target, const std::string& file) {
  const char* name = target == cli::ExportTarget::pytorch ? "PyTorch" : "Keras";
  auto script = lesson_script(s, target);
  if (!script) {
    s.notify(std::string("Not copied as ") + name + ": " + script.error().message, 10.0);
    return script.error();
  }
  ImGui::SetClipboardText(script->c_str());
  if (!file.empty()) {
    if (auto st = write_file_atomic(file, *script); !st) return st;
  }
  s.notify(std::string("Copied the lesson as a ") + name +
           " script: paste it into a .py file and run it with python3.");
  return ok();
}

}  // namespace cs::ui
