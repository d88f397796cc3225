// "Copy as PyTorch" / "Copy as Keras" (Edit menu): the current lesson as a Python script that
// stands alone (its tensors written inline as np.array literals), built by app/cli/cli_export,
// put on the clipboard. Depends on AppState and cli_export; ImGui only for the clipboard.
#pragma once

#include <string>

#include "app/cli/cli_export.hpp"
#include "app/ui/app_state.hpp"
#include "core/result.hpp"

namespace cs::ui {

// The lesson's script, which np.saves its result as convscope_<lesson>.npy in the directory it
// runs in; or the sentence why the framework cannot express the lesson.
Result<std::string> lesson_script(const AppState& s, cli::ExportTarget target);

// Puts the script on the clipboard and says so in the status bar (or says why not). With
// `file` (--copy-code-file, for tests), also writes what went to the clipboard there.
Status copy_lesson_script(AppState& s, cli::ExportTarget target, const std::string& file = "");

}  // namespace cs::ui
