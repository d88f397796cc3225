// The in-app file browser (Debian has no native dialog library): a std::filesystem listing with
// up, home, an extension filter, hidden files, a typed path, and sentences for folders that
// cannot be read. Used to open images, .npy tensors and scenes and to save scenes.
// Depends on app_state, core/ and ImGui; no GL calls.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include <imgui.h>

#include "app/ui/ui_edit.hpp"
#include "app/ui/ui_theme.hpp"

namespace cs::ui {

namespace fs = std::filesystem;

namespace {

const char* title_for(BrowseFor what) {
  switch (what) {
    case BrowseFor::image_input:
      return "Open a picture (or a .npy tensor) as the lesson input";
    case BrowseFor::npy_input:
      return "Open a .npy tensor as the lesson input";
    case BrowseFor::preview_image:
      return "Open a picture for the live preview";
    case BrowseFor::scene_open:
      return "Open a scene";
    case BrowseFor::scene_save:
      return "Save the scene as";
  }
  return "";
}

std::string default_filter(BrowseFor what) {
  switch (what) {
    case BrowseFor::image_input:
      return ".png .jpg .jpeg .npy";
    case BrowseFor::preview_image:
      return ".png .jpg .jpeg";
    case BrowseFor::npy_input:
      return ".npy";
    case BrowseFor::scene_open:
    case BrowseFor::scene_save:
      return ".json";
  }
  return "";
}

std::string lower(std::string s) {
  for (char& ch : s)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// True when `name` ends with one of the space-separated extensions in `filter` (or it is empty).
bool matches(const std::string& name, const std::string& filter) {
  const std::string n = lower(name);
  bool any = false;
  std::size_t i = 0;
  while (i < filter.size()) {
    while (i < filter.size() && (filter[i] == ' ' || filter[i] == ','))
      ++i;
    std::size_t j = i;
    while (j < filter.size() && filter[j] != ' ' && filter[j] != ',')
      ++j;
    if (j > i) {
      any = true;
      std::string ext = lower(filter.substr(i, j - i));
      if (ext == "*" || ext == "*.*") return true;
      if (ext[0] == '*') ext.erase(0, 1);
      if (ext[0] != '.') ext = std::string(1, '.') + ext;
      if (n.size() >= ext.size() && n.compare(n.size() - ext.size(), ext.size(), ext) == 0)
        return true;
    }
    i = j;
  }
  return !any;
}

std::string home_dir() {
  const char* h = std::getenv("HOME");
  return h && *h ? h : "/";
}

void list_dir(EditState& es) {
  es.browse_needs_listing = false;
  es.listing_dirs.clear();
  es.listing_files.clear();
  es.browse_error.clear();
  std::error_code ec;
  fs::directory_iterator it(es.browse_dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    es.browse_error = "Cannot read the folder " + es.browse_dir + ": " + ec.message() +
                      ". Choose another folder (Up, Home) or type a path.";
    return;
  }
  const std::string filter = es.filter;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) {
      es.browse_error = "Stopped reading " + es.browse_dir + ": " + ec.message();
      break;
    }
    const std::string name = it->path().filename().string();
    if (!es.show_hidden && !name.empty() && name[0] == '.') continue;
    std::error_code e2;
    if (it->is_directory(e2)) {
      es.listing_dirs.push_back(name);
    } else if (matches(name, filter)) {
      es.listing_files.push_back(name);
    }
  }
  std::sort(es.listing_dirs.begin(), es.listing_dirs.end());
  std::sort(es.listing_files.begin(), es.listing_files.end());
}

void go_to(EditState& es, const fs::path& dir) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(dir, ec);
  if (ec) p = dir.lexically_normal();
  es.browse_dir = p.string();
  es.browse_needs_listing = true;
}

// Does what the browser was opened for with `path`; closes it on success.
void choose(AppState& state, EditState& es, std::string path) {
  Status s = ok();
  std::string done;
  switch (es.browse_for) {
    case BrowseFor::image_input:
      s = lower(fs::path(path).extension().string()) == ".npy"
              ? load_input_npy(state, path, es.npy_nhwc)
              : load_input_image(state, path);
      done = "Lesson input from " + path;
      break;
    case BrowseFor::npy_input:
      s = load_input_npy(state, path, es.npy_nhwc);
      done = "Lesson input from " + path;
      break;
    case BrowseFor::preview_image:
      s = set_preview_image(state, path);
      state.show_preview = true;
      done = "Live preview of " + path;
      break;
    case BrowseFor::scene_open:
      s = open_scene_file(state, path);
      done = "Scene opened from " + path;
      break;
    case BrowseFor::scene_save:
      if (fs::path(path).extension().empty()) path += ".json";
      s = save_scene_file(state, path);
      done = "Scene saved to " + path;
      break;
  }
  if (!s) {
    es.browse_error = s.error().message;
    state.notify(s.error().message, 10.0);  // in the status bar (and the --status-file) too
    return;
  }
  state.notify(done);
  es.browse_error.clear();
  state.show_file_browser = false;
}

}  // namespace

void open_file_browser(AppState& state, BrowseFor what) {
  EditState& es = edit_state(state);
  const bool mode_changed = es.browse_for != what || es.filter.empty();
  es.browse_for = what;
  if (mode_changed) es.filter = default_filter(what);
  if (es.browse_dir.empty()) {
    std::error_code ec;
    es.browse_dir = fs::current_path(ec).string();
    if (ec) es.browse_dir = home_dir();
  }
  if (what == BrowseFor::scene_save) {
    es.typed_path =
        es.scene_path.empty() ? (fs::path(es.browse_dir) / "scene.json").string() : es.scene_path;
  } else {
    es.typed_path.clear();
  }
  es.browse_error.clear();
  es.browse_needs_listing = true;
  state.show_file_browser = true;
  es.browse_focus = true;
  ImGui::SetWindowFocus("File browser");
}

void draw_file_browser(AppState& state) {
  EditState& es = edit_state(state);
  ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 36.0f, ImGui::GetFontSize() * 28.0f),
                           ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("File browser", &state.show_file_browser)) {
    ImGui::End();
    return;
  }
  if (es.browse_dir.empty()) {
    std::error_code ec;
    es.browse_dir = fs::current_path(ec).string();
    if (ec) es.browse_dir = home_dir();
    es.filter = default_filter(es.browse_for);
  }
  if (es.browse_needs_listing) list_dir(es);
  ImGui::TextUnformatted(title_for(es.browse_for));
  if (ImGui::Button("Up")) go_to(es, fs::path(es.browse_dir).parent_path());
  ImGui::SameLine();
  if (ImGui::Button("Home")) go_to(es, home_dir());
  ImGui::SameLine();
  if (ImGui::Button("Refresh")) es.browse_needs_listing = true;
  ImGui::SameLine();
  if (ImGui::Checkbox("hidden", &es.show_hidden)) es.browse_needs_listing = true;
  ImGui::SameLine();
  char filter[128];
  std::snprintf(filter, sizeof filter, "%s", es.filter.c_str());
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9.0f);
  if (ImGui::InputText("filter", filter, sizeof filter)) {
    es.filter = filter;
    es.browse_needs_listing = true;
  }
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("extensions separated by spaces; empty or * shows every file");
  ImGui::TextDisabled("%s", es.browse_dir.c_str());

  const float footer =
      ImGui::GetFrameHeightWithSpacing() * 2.0f + ImGui::GetTextLineHeightWithSpacing() * 2.0f;
  if (ImGui::BeginChild("##listing", ImVec2(0, -footer), true)) {
    std::string enter_dir;
    for (const std::string& d : es.listing_dirs) {
      if (ImGui::Selectable((d + "/").c_str(), false, ImGuiSelectableFlags_AllowDoubleClick) &&
          ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
        enter_dir = d;
      }
    }
    std::string chosen;
    for (const std::string& f : es.listing_files) {
      const std::string full = (fs::path(es.browse_dir) / f).string();
      if (ImGui::Selectable(f.c_str(), es.typed_path == full,
                            ImGuiSelectableFlags_AllowDoubleClick)) {
        es.typed_path = full;
        if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) chosen = full;
      }
    }
    if (es.listing_dirs.empty() && es.listing_files.empty() && es.browse_error.empty()) {
      ImGui::TextDisabled("(no folders and no files matching \"%s\" here)", es.filter.c_str());
    }
    if (!enter_dir.empty()) go_to(es, fs::path(es.browse_dir) / enter_dir);
    if (!chosen.empty()) choose(state, es, chosen);
  }
  ImGui::EndChild();

  char path[1024];
  std::snprintf(path, sizeof path, "%s", es.typed_path.c_str());
  ImGui::SetNextItemWidth(-ImGui::GetFontSize() * 6.0f);
  if (es.browse_focus || ImGui::IsWindowAppearing()) {
    ImGui::SetKeyboardFocusHere();
    es.browse_focus = false;
  }
  const bool enter =
      ImGui::InputText("path", path, sizeof path, ImGuiInputTextFlags_EnterReturnsTrue);
  es.typed_path = path;
  ImGui::SameLine();
  const bool save = es.browse_for == BrowseFor::scene_save;
  const bool button = ImGui::Button(save ? "Save" : "Open");
  if ((enter || button) && !es.typed_path.empty()) {
    fs::path p(es.typed_path);
    if (p.is_relative()) p = fs::path(es.browse_dir) / p;
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      go_to(es, p);
      es.typed_path.clear();
    } else if (!save && !fs::exists(p, ec)) {
      es.browse_error =
          "There is no file " + p.string() + "; check the name or pick one from the list.";
    } else {
      choose(state, es, p.string());
    }
  }
  if (!es.browse_error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, palette().error_v4);
    ImGui::TextWrapped("%s", es.browse_error.c_str());
    ImGui::PopStyleColor();
  } else {
    ImGui::TextDisabled(
        "double-click a folder to enter it, a file to %s; or type a path and press Enter",
        save ? "save over it" : "open it");
  }
  ImGui::End();
}

}  // namespace cs::ui
