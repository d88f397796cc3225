// Undo and redo of the lesson's edits: snapshots of the editable part of AppState (the lesson's
// name and texts, operands, parameters, op, flip, bias on/off; never the trace, which is
// recomputed), a bounded history with a cursor, and whether the lesson is still as it was loaded
// ("modified"). No ImGui, GLFW or GL here: the frame tells record_edits() which gesture is under
// way (a drag, a paint stroke, typing in one field) and the history makes it one step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/lessons.hpp"
#include "core/params.hpp"
#include "core/tensor.hpp"

namespace cs {

struct AppState;

// The editable part of the state. Operands in PyTorch order, as AppState keeps them.
struct EditSnapshot {
  std::string lesson_name, lesson_title, lesson_description, lesson_expected;
  LessonOp op = LessonOp::conv;
  Tensor input, weight, bias;
  bool has_bias = false;
  Conv2dParams conv;
  Pool2dParams pool;
  ConvTranspose2dParams transpose;
  bool flip_kernel = false;
  uint64_t seed = 1;
  Framework framework = Framework::pytorch;  // the Rules switch and Keras's padding choice
  KerasPadding keras_padding = KerasPadding::valid;

  // What the snapshot holds in memory (tensors and texts), for the history's bound.
  std::size_t bytes() const;
};
// Every field equal (tensors bit for bit).
bool same_edit(const EditSnapshot& a, const EditSnapshot& b);
// What differs from a to b, for a notice: "the weights", "the input and the weights", "the
// lesson (vertical-edge → blur)", "the operation", "the parameters", ... ("" when nothing).
std::string describe_change(const EditSnapshot& a, const EditSnapshot& b);

// One state in the history and the lesson it was edited from (shared by all of its entries).
struct UndoEntry {
  EditSnapshot state;
  std::shared_ptr<const EditSnapshot> baseline;
  uint64_t gesture = 0;  // nonzero: the drag or stroke that made it (see UndoHistory::push)
};

// NOTE: the bound. At most max_states states (max_states − 1 undo steps) and max_bytes of
// snapshots (each distinct baseline counted once), whichever is reached first; the oldest go
// first and the current state is always kept, however big. With the canvas's largest lesson
// (2^20 float64 input values, 8 MiB, and its baseline) that is still 5 steps; a built-in
// lesson is a few KiB.
struct UndoLimits {
  std::size_t max_states = 200;
  std::size_t max_bytes = std::size_t{64} << 20;
};

// A list of states and a cursor on the current one: undo moves the cursor back, redo forward,
// push drops what was ahead of the cursor (redo is cleared by a new edit) and appends.
class UndoHistory {
 public:
  explicit UndoHistory(UndoLimits limits = {}) : m_limits(limits) {}

  // Records `state` as the current state after an edit. When `gesture` is nonzero and equal to
  // the current entry's (with the same baseline, nothing ahead of the cursor, not the oldest
  // entry), the current entry is replaced instead: a drag or a paint stroke is one step.
  void push(EditSnapshot state, std::shared_ptr<const EditSnapshot> baseline, uint64_t gesture = 0);
  // Moves back (undo) or forward (redo) one step: the entry to restore, or nullptr when there is
  // none (the cursor stays).
  const UndoEntry* undo();
  const UndoEntry* redo();
  // The current entry, nullptr when empty.
  const UndoEntry* current() const;
  void clear();

  bool empty() const { return m_entries.empty(); }
  std::size_t size() const { return m_entries.size(); }
  std::size_t undo_steps() const { return m_entries.empty() ? 0 : m_cursor; }
  std::size_t redo_steps() const { return m_entries.empty() ? 0 : m_entries.size() - 1 - m_cursor; }
  std::size_t bytes() const { return m_bytes; }
  const UndoLimits& limits() const { return m_limits; }

 private:
  void trim();
  UndoLimits m_limits;
  std::vector<UndoEntry> m_entries;
  std::size_t m_cursor = 0;  // index of the current entry
  std::size_t m_bytes = 0;
};

// ---- The history on AppState (AppState::undo, ::baseline, ::modified, ::edit_pending) ----

EditSnapshot capture_edit(const AppState& state);
// Whether the state's editable part equals `snap` (without copying it).
bool state_matches(const AppState& state, const EditSnapshot& snap);
// Writes `snap` back into the state and marks the trace dirty (the stepper keeps its place where
// it still exists, as after any edit).
void restore_edit(AppState& state, const EditSnapshot& snap);

// Once a frame after the views drew: when an edit was marked since the last call
// (mark_dirty(Dirty::trace) sets AppState::edit_pending) and the state differs from the current
// entry, records it. `gesture`: nonzero while one mouse drag or one active widget lasts (its
// frames make one step), 0 for a single action (a key, a click). Updates AppState::modified.
void record_edits(AppState& state, uint64_t gesture);
// load_lesson's two halves: before, the old lesson's pending edits are recorded; after, the
// loaded state is the new baseline (not modified) and is recorded as a step of its own, so that
// Ctrl+Z after PageDown brings the edited lesson back.
void lesson_load_begins(AppState& state);
void lesson_loaded(AppState& state);
// The history starts over at the current state (at start-up, once the lesson is chosen): nothing
// to undo. The baseline is `shipped` when given (a session restored with its edits counts as
// edited from the built-in lesson), else the one the last lesson load set, else the current state.
void restart_history(AppState& state, const EditSnapshot* shipped = nullptr);

// Ctrl+Z / Ctrl+Shift+Z: restores the previous / next state and says what changed in a notice.
// False (and a notice "Nothing to undo.") when there is no such state.
bool undo_edit(AppState& state);
bool redo_edit(AppState& state);

// Whether the seed notebook's printed values (AppState::lesson_expected) still describe the
// lesson on screen: there are some and the lesson is not modified.
bool expected_applies(const AppState& state);
// The sentence the arithmetic panel shows instead of them when the lesson was edited.
inline constexpr const char* kExpectedEdited =
    "The seed notebook printed values for the lesson as shipped; you have edited it (Ctrl+Z "
    "undoes).";

}  // namespace cs
