// Undo and redo of the lesson's edits (see undo.hpp): the bounded history and its use on
// AppState. No ImGui, GLFW or GL here.
#include "app/ui/undo.hpp"

#include <utility>

#include "app/ui/app_state.hpp"

namespace cs {

namespace {

bool same_pool(const Pool2dParams& a, const Pool2dParams& b) {
  return a.op == b.op && a.k_h == b.k_h && a.k_w == b.k_w && a.stride_h == b.stride_h &&
         a.stride_w == b.stride_w && a.pad_h == b.pad_h && a.pad_w == b.pad_w &&
         a.dilation_h == b.dilation_h && a.dilation_w == b.dilation_w &&
         a.ceil_mode == b.ceil_mode && a.count_include_pad == b.count_include_pad;
}

bool same_transpose(const ConvTranspose2dParams& a, const ConvTranspose2dParams& b) {
  return a.stride_h == b.stride_h && a.stride_w == b.stride_w && a.pad_h == b.pad_h &&
         a.pad_w == b.pad_w && a.output_padding_h == b.output_padding_h &&
         a.output_padding_w == b.output_padding_w && a.dilation_h == b.dilation_h &&
         a.dilation_w == b.dilation_w && a.groups == b.groups && a.layout == b.layout;
}

// The fields of a snapshot and of the state have the same names: one comparison for both.
template <typename A, typename B>
bool same_fields(const A& a, const B& b) {
  return a.lesson_name == b.lesson_name && a.lesson_title == b.lesson_title &&
         a.lesson_description == b.lesson_description && a.lesson_expected == b.lesson_expected &&
         a.op == b.op && a.has_bias == b.has_bias && a.flip_kernel == b.flip_kernel &&
         a.seed == b.seed && a.framework == b.framework && a.keras_padding == b.keras_padding &&
         a.conv.layout == b.conv.layout && a.pool.layout == b.pool.layout &&
         same_arithmetic(a.conv, b.conv) && same_pool(a.pool, b.pool) &&
         same_transpose(a.transpose, b.transpose) && a.input.identical(b.input) &&
         a.weight.identical(b.weight) && a.bias.identical(b.bias);
}

std::string join_parts(const std::vector<std::string>& parts) {
  std::string text;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) text += i + 1 == parts.size() ? " and " : ", ";
    text += parts[i];
  }
  return text;
}

}  // namespace

std::size_t EditSnapshot::bytes() const {
  return sizeof(EditSnapshot) + input.nbytes() + weight.nbytes() + bias.nbytes() +
         lesson_name.size() + lesson_title.size() + lesson_description.size() +
         lesson_expected.size();
}

bool same_edit(const EditSnapshot& a, const EditSnapshot& b) {
  return same_fields(a, b);
}

std::string describe_change(const EditSnapshot& a, const EditSnapshot& b) {
  if (a.lesson_name != b.lesson_name) return "lesson " + a.lesson_name + " → " + b.lesson_name;
  std::vector<std::string> parts;
  if (a.op != b.op) parts.push_back("the operation");
  if (!same_arithmetic(a.conv, b.conv) || !same_pool(a.pool, b.pool)) {
    parts.push_back("the parameters");
  }
  if (a.conv.layout != b.conv.layout || a.pool.layout != b.pool.layout) {
    parts.push_back("the layout");
  }
  if (a.framework != b.framework) parts.push_back("the rules (PyTorch/Keras)");
  if (a.keras_padding != b.keras_padding) parts.push_back("Keras's padding");
  if (a.has_bias != b.has_bias) parts.push_back("bias on/off");
  if (a.flip_kernel != b.flip_kernel) parts.push_back("the kernel flip");
  if (!a.input.identical(b.input)) parts.push_back("the input");
  if (!a.weight.identical(b.weight)) parts.push_back("the weights");
  if (!a.bias.identical(b.bias)) parts.push_back("the bias");
  if (parts.empty() && !same_edit(a, b)) parts.push_back("the lesson's text");
  return join_parts(parts);
}

// ---------------------------------------------------------------------------------------------
// The history

void UndoHistory::push(EditSnapshot state, std::shared_ptr<const EditSnapshot> baseline,
                       uint64_t gesture) {
  const bool at_newest = !m_entries.empty() && m_cursor + 1 == m_entries.size();
  if (gesture != 0 && at_newest && m_cursor > 0 && m_entries[m_cursor].gesture == gesture &&
      m_entries[m_cursor].baseline == baseline) {
    m_entries[m_cursor].state = std::move(state);
    trim();
    return;
  }
  if (!m_entries.empty()) {
    m_entries.erase(m_entries.begin() + static_cast<std::ptrdiff_t>(m_cursor) + 1, m_entries.end());
  }
  m_entries.push_back({std::move(state), std::move(baseline), gesture});
  m_cursor = m_entries.size() - 1;
  trim();
}

const UndoEntry* UndoHistory::undo() {
  if (m_entries.empty() || m_cursor == 0) return nullptr;
  return &m_entries[--m_cursor];
}

const UndoEntry* UndoHistory::redo() {
  if (m_entries.empty() || m_cursor + 1 >= m_entries.size()) return nullptr;
  return &m_entries[++m_cursor];
}

const UndoEntry* UndoHistory::current() const {
  return m_entries.empty() ? nullptr : &m_entries[m_cursor];
}

void UndoHistory::clear() {
  m_entries.clear();
  m_cursor = 0;
  m_bytes = 0;
}

// Recounts the bytes (each baseline once where consecutive entries share it) and drops the
// oldest entries while over a limit, never the current one.
void UndoHistory::trim() {
  auto count = [this] {
    std::size_t total = 0;
    const EditSnapshot* last_baseline = nullptr;
    for (const UndoEntry& e : m_entries) {
      total += e.state.bytes();
      if (e.baseline && e.baseline.get() != last_baseline) total += e.baseline->bytes();
      last_baseline = e.baseline.get();
    }
    return total;
  };
  m_bytes = count();
  while (m_cursor > 0 && (m_entries.size() > m_limits.max_states || m_bytes > m_limits.max_bytes)) {
    m_entries.erase(m_entries.begin());
    --m_cursor;
    m_bytes = count();
  }
}

// ---------------------------------------------------------------------------------------------
// On AppState

EditSnapshot capture_edit(const AppState& s) {
  EditSnapshot e;
  e.lesson_name = s.lesson_name;
  e.lesson_title = s.lesson_title;
  e.lesson_description = s.lesson_description;
  e.lesson_expected = s.lesson_expected;
  e.op = s.op;
  e.input = s.input;
  e.weight = s.weight;
  e.bias = s.bias;
  e.has_bias = s.has_bias;
  e.conv = s.conv;
  e.pool = s.pool;
  e.transpose = s.transpose;
  e.flip_kernel = s.flip_kernel;
  e.seed = s.seed;
  e.framework = s.framework;
  e.keras_padding = s.keras_padding;
  return e;
}

bool state_matches(const AppState& s, const EditSnapshot& snap) {
  return same_fields(s, snap);
}

void restore_edit(AppState& s, const EditSnapshot& e) {
  s.lesson_name = e.lesson_name;
  s.lesson_title = e.lesson_title;
  s.lesson_description = e.lesson_description;
  s.lesson_expected = e.lesson_expected;
  s.op = e.op;
  s.input = e.input;
  s.weight = e.weight;
  s.bias = e.bias;
  s.has_bias = e.has_bias;
  s.conv = e.conv;
  s.pool = e.pool;
  s.transpose = e.transpose;
  s.flip_kernel = e.flip_kernel;
  s.seed = e.seed;
  s.framework = e.framework;
  s.keras_padding = e.keras_padding;
  s.mark_dirty(Dirty::trace);
  s.mark_dirty(Dirty::settings);
}

namespace {

void update_modified(AppState& s) {
  const bool modified = s.baseline && !state_matches(s, *s.baseline);
  if (modified != s.modified) s.mark_dirty(Dirty::status);
  s.modified = modified;
}

}  // namespace

void record_edits(AppState& s, uint64_t gesture) {
  if (!s.edit_pending) return;
  s.edit_pending = false;
  const UndoEntry* now = s.undo.current();
  if (now && state_matches(s, now->state)) return;
  if (!s.baseline) s.baseline = std::make_shared<const EditSnapshot>(capture_edit(s));
  s.undo.push(capture_edit(s), s.baseline, gesture);
  update_modified(s);
  s.mark_dirty(Dirty::status);
}

void lesson_load_begins(AppState& s) {
  if (!s.undo.empty()) record_edits(s, 0);
}

void lesson_loaded(AppState& s) {
  s.baseline = std::make_shared<const EditSnapshot>(capture_edit(s));
  s.edit_pending = true;
  record_edits(s, 0);
  update_modified(s);
}

void restart_history(AppState& s, const EditSnapshot* shipped) {
  s.undo.clear();
  if (shipped) {
    s.baseline = std::make_shared<const EditSnapshot>(*shipped);
  } else if (!s.baseline) {
    s.baseline = std::make_shared<const EditSnapshot>(capture_edit(s));
  }
  s.edit_pending = false;
  s.undo.push(capture_edit(s), s.baseline);
  update_modified(s);
}

namespace {

// Puts an entry of the history back: its state, its lesson's baseline, the modified flag.
void apply_entry(AppState& s, const UndoEntry& e) {
  restore_edit(s, e.state);
  s.baseline = e.baseline;
  s.edit_pending = false;  // the state is the history's current entry
  update_modified(s);
  s.mark_dirty(Dirty::status);
}

}  // namespace

bool undo_edit(AppState& s) {
  record_edits(s, 0);  // an edit not yet recorded is undone too
  const UndoEntry* from = s.undo.current();
  const UndoEntry* to = s.undo.undo();
  if (!from || !to) {
    s.notify("Nothing to undo.");
    return false;
  }
  const std::string what = describe_change(to->state, from->state);
  apply_entry(s, *to);
  s.notify("Undone: " + what + " (Ctrl+Shift+Z redoes).");
  return true;
}

bool redo_edit(AppState& s) {
  record_edits(s, 0);
  const UndoEntry* from = s.undo.current();
  const UndoEntry* to = s.undo.redo();
  if (!from || !to) {
    s.notify("Nothing to redo.");
    return false;
  }
  const std::string what = describe_change(from->state, to->state);
  apply_entry(s, *to);
  s.notify("Redone: " + what + ".");
  return true;
}

bool expected_applies(const AppState& s) {
  return !s.lesson_expected.empty() && !s.modified;
}

}  // namespace cs
