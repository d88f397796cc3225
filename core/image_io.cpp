// Image decoding and PNG encoding. JPEG goes through Debian's libjpeg-turbo (fuzzed upstream), PNG
// through our own static PNG-only stb_image instance whose allocations are held to a budget derived
// from the header; both check the picture's size against ImageLimits before decoding. PNG encoding
// is stb_image_write into memory. Never links Debian's -lstb.
#include "image_io.hpp"

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <type_traits>

// NOTE: jpeglib.h needs <cstdio> (FILE, size_t) before it, and jerror.h needs jpeglib.h's jconfig.h
// before it (or it leaves out the arithmetic-coding messages).
#include <jpeglib.h>
// (keep this order)
#include <jerror.h>

#include "file_io.hpp"

// stb_image allocates through these (see "PNG allocation budget" below): every block carries its
// size, and a thread-local budget refuses the allocation that would pass the limit.
namespace {
void* stb_budget_malloc(std::size_t size);
void* stb_budget_realloc(void* block, std::size_t size);
void stb_budget_free(void* block);
}  // namespace

// NOTE: the implementation TUs of third-party headers compile with our warnings off, here only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wall"
#pragma GCC diagnostic ignored "-Wextra"
#pragma GCC diagnostic ignored "-Wpedantic"
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wcast-align"
#pragma GCC diagnostic ignored "-Wunused"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wnull-dereference"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wdouble-promotion"
#pragma GCC diagnostic ignored "-Wconversion"
#if !defined(__clang__)  // GCC-only warning groups (the fuzz build uses clang)
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#define STB_IMAGE_STATIC
#define STBI_ONLY_PNG  // JPEG is libjpeg-turbo's: stb_image 2.27's JPEG decoder is not safe
#define STBI_NO_STDIO
#define STBI_NO_LINEAR
#define STBI_NO_HDR
#define STBI_MAX_DIMENSIONS 16384
#define STBI_MALLOC(size) stb_budget_malloc(size)
#define STBI_REALLOC(block, size) stb_budget_realloc(block, size)
#define STBI_FREE(block) stb_budget_free(block)
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>
#define STB_IMAGE_WRITE_STATIC
#define STBI_WRITE_NO_STDIO
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

// ---- PNG allocation budget ----------------------------------------------------------------------
// NOTE: stb_image 2.27 inflates a PNG's pixel data into a buffer that doubles without limit, so a
// 1 MB file can ask for gigabytes. decode_png sets a budget from the header; an allocation that
// would pass it fails, stb_image returns "outofmem", and `refused` tells us why.
namespace {

struct StbBudget {
  std::size_t limit = 0;
  std::size_t live = 0;
  bool refused = false;
};
thread_local StbBudget* t_stb_budget = nullptr;

// Each block starts with its size; 16 bytes keep the caller's pointer aligned like malloc's.
constexpr std::size_t k_block_header = 16;

// A block grows (or is born, or freed) from old_size to new_size bytes: false, and `refused`
// set, when that would pass the limit.
bool stb_budget_charge(std::size_t old_size, std::size_t new_size) {
  StbBudget* b = t_stb_budget;
  if (b == nullptr) return true;
  if (new_size > old_size && new_size - old_size > b->limit - std::min(b->limit, b->live)) {
    b->refused = true;
    return false;
  }
  b->live = b->live - std::min(b->live, old_size) + new_size;
  return true;
}

void* stb_budget_malloc(std::size_t size) {
  if (size > SIZE_MAX - k_block_header || !stb_budget_charge(0, size)) return nullptr;
  auto* p = static_cast<unsigned char*>(std::malloc(size + k_block_header));
  if (p == nullptr) {
    stb_budget_charge(size, 0);
    return nullptr;
  }
  std::memcpy(p, &size, sizeof size);
  return p + k_block_header;
}

void* stb_budget_realloc(void* block, std::size_t size) {
  if (block == nullptr) return stb_budget_malloc(size);
  auto* p = static_cast<unsigned char*>(block) - k_block_header;
  std::size_t old_size = 0;
  std::memcpy(&old_size, p, sizeof old_size);
  if (size > SIZE_MAX - k_block_header || !stb_budget_charge(old_size, size)) return nullptr;
  auto* q = static_cast<unsigned char*>(std::realloc(p, size + k_block_header));
  if (q == nullptr) {
    stb_budget_charge(size, old_size);
    return nullptr;
  }
  std::memcpy(q, &size, sizeof size);
  return q + k_block_header;
}

void stb_budget_free(void* block) {
  if (block == nullptr) return;
  auto* p = static_cast<unsigned char*>(block) - k_block_header;
  std::size_t size = 0;
  std::memcpy(&size, p, sizeof size);
  stb_budget_charge(size, 0);
  std::free(p);
}

// Installs a budget for the stb_image calls of one scope on this thread.
class StbBudgetScope {
 public:
  explicit StbBudgetScope(std::size_t limit) : m_previous(t_stb_budget) {
    m_budget.limit = limit;
    t_stb_budget = &m_budget;
  }
  ~StbBudgetScope() { t_stb_budget = m_previous; }
  StbBudgetScope(const StbBudgetScope&) = delete;
  StbBudgetScope& operator=(const StbBudgetScope&) = delete;
  bool refused() const { return m_budget.refused; }

 private:
  StbBudget m_budget;
  StbBudget* m_previous;
};

}  // namespace

namespace cs {

namespace {

bool starts_with(const uint8_t* b, std::size_t n, const char* magic, std::size_t len) {
  return n >= len && std::memcmp(b, magic, len) == 0;
}

std::string base_name(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// "16.8 Mpixels", or "120 pixels" for a count below a million (small limits set by a caller).
std::string pixel_count(int64_t pixels) {
  if (pixels < 1000000) return std::to_string(pixels) + " pixels";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", static_cast<double>(pixels) / 1e6);
  return std::string(text) + " Mpixels";
}

// The size checks both formats make from the header, before any pixel is decoded.
Result<Ok> check_size(const std::string& shown, int64_t w, int64_t h, const ImageLimits& limits) {
  const std::string size = std::to_string(w) + "×" + std::to_string(h);
  if (w <= 0 || h <= 0) {
    return make_error(
        shown + " declares a " + size + " picture, which has no pixels; the file is damaged",
        "image");
  }
  // A side both limits allow: what ImageMagick's -resize SxS (which keeps the aspect) needs.
  const int64_t side = std::min<int64_t>(
      limits.max_dimension, static_cast<int64_t>(std::sqrt(
                                static_cast<double>(std::max<int64_t>(limits.max_pixels, 1)))));
  const std::size_t dot = shown.rfind('.');
  const std::string stem = dot == std::string::npos || dot == 0 ? shown : shown.substr(0, dot);
  const std::string advice = ": scale it down, for example with ImageMagick: convert " + shown +
                             " -resize " + std::to_string(side) + "x" + std::to_string(side) + " " +
                             stem + "-small.png";
  if (w > limits.max_dimension || h > limits.max_dimension) {
    return make_error(shown + " is " + size + " pixels; ConvScope accepts at most " +
                          std::to_string(limits.max_dimension) + " pixels per side" + advice,
                      "image");
  }
  if (w * h > limits.max_pixels) {
    const std::string square = std::to_string(side) + "×" + std::to_string(side);
    const std::string count = w * h >= 1000000 ? " (" + pixel_count(w * h) + ")" : "";
    return make_error(shown + " is " + size + " pixels" + count +
                          "; ConvScope reads pictures up to " + pixel_count(limits.max_pixels) +
                          " (" + (side * side == limits.max_pixels ? square : "e.g. " + square) +
                          ")" + advice,
                      "image");
  }
  return Ok{};
}

// The width and height a PNG's IHDR or a JPEG's frame header (SOFn) declares, if they are in the
// first `n` bytes; false when they are not (decode_image then finds out).
bool declared_size(const uint8_t* b, std::size_t n, int64_t& w, int64_t& h) {
  if (n >= 24 && starts_with(b, n, "\x89PNG\r\n\x1a\n", 8) && std::memcmp(b + 12, "IHDR", 4) == 0) {
    w = be32(b + 16);
    h = be32(b + 20);
    return true;
  }
  if (n < 4 || b[0] != 0xFF || b[1] != 0xD8) return false;
  for (std::size_t at = 2; at + 4 <= n;) {
    if (b[at] != 0xFF) return false;
    const uint8_t marker = b[at + 1];
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0xDA || marker == 0xD9) return false;  // a scan or the end, and no frame yet
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // no length
      at += 2;
      continue;
    }
    const bool frame =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (frame) {
      if (at + 9 > n) return false;
      h = (b[at + 5] << 8) | b[at + 6];
      w = (b[at + 7] << 8) | b[at + 8];
      return true;
    }
    const std::size_t length = static_cast<std::size_t>((b[at + 2] << 8) | b[at + 3]);
    if (length < 2) return false;
    at += 2 + length;
  }
  return false;
}

std::string cut_off(const std::string& shown, const char* format, std::size_t size) {
  return shown + " is a " + format + " cut off after " + std::to_string(size) +
         " bytes: the file ends before its picture does (an incomplete download or copy?)";
}

// ---- PNG (stb_image) ----------------------------------------------------------------------------

// What stb_image's terse PNG failure reasons mean, in words.
std::string png_problem(const std::string& reason) {
  static const struct {
    const char* reason;
    const char* problem;
  } k_reasons[] = {
      {"bad zlib header", "its compressed pixel data (zlib) is corrupt"},
      {"bad huffman code", "its compressed pixel data (zlib) is corrupt"},
      {"bad codelengths", "its compressed pixel data (zlib) is corrupt"},
      {"bad dist", "its compressed pixel data (zlib) is corrupt"},
      {"bad distance", "its compressed pixel data (zlib) is corrupt"},
      {"bad block type", "its compressed pixel data (zlib) is corrupt"},
      {"zlib corrupt", "its compressed pixel data (zlib) is corrupt"},
      {"read past buffer", "its compressed pixel data (zlib) ends too early"},
      {"unexpected end", "its compressed pixel data (zlib) ends too early"},
      {"not enough pixels", "its pixel data does not match the size in its header"},
      {"invalid filter", "a row of its pixel data has an invalid filter type"},
      {"no IDAT", "it has no pixel data (IDAT chunk)"},
      {"no PLTE", "its palette (PLTE chunk) is missing"},
      {"invalid PLTE", "its palette (PLTE chunk) is invalid"},
      {"tRNS after IDAT", "its transparency (tRNS chunk) is out of place"},
      {"tRNS before PLTE", "its transparency (tRNS chunk) is out of place"},
      {"bad tRNS len", "its transparency (tRNS chunk) is invalid"},
      {"tRNS with alpha", "its transparency (tRNS chunk) is invalid"},
      {"outofdata", "a chunk ends past the end of the file"},
      {"first not IHDR", "its header (IHDR chunk) is not the first chunk"},
      {"multiple IHDR", "it has two headers (IHDR chunks)"},
      {"bad IHDR len", "its header (IHDR chunk) is invalid"},
      {"1/2/4/8/16-bit only", "its header declares an invalid bit depth"},
      {"bad ctype", "its header declares an invalid colour type"},
      {"bad comp method", "its header declares an unknown compression method"},
      {"bad filter method", "its header declares an unknown filter method"},
      {"bad interlace method", "its header declares an unknown interlace method"},
      {"0-pixel image", "its header declares no pixels"},
      {"unknown image type", "its header declares an invalid colour type"},
      {"too large", "its header declares a picture too large to decode"},
      {"outofmem", "it needs more memory than is available"},
  };
  for (const auto& r : k_reasons)
    if (reason == r.reason) return r.problem;
  if (reason.rfind("XXXX PNG", 0) == 0 || reason.find("chunk") != std::string::npos)
    return "it has an unknown critical chunk";
  return "it is damaged";
}

Result<Image> decode_png(const uint8_t* bytes, std::size_t size, const std::string& shown,
                         const ImageLimits& limits) {
  // Signature (8) + IHDR: length, type, 13 bytes of data, CRC.
  if (size < 33) return make_error(cut_off(shown, "PNG", size), "image");
  if (be32(bytes + 8) != 13 || std::memcmp(bytes + 12, "IHDR", 4) != 0) {
    return make_error(
        shown + " is a PNG whose first chunk is not its header (IHDR); the file is damaged",
        "image");
  }
  const int64_t w = be32(bytes + 16), h = be32(bytes + 20);
  const int depth = bytes[24], colour_type = bytes[25], interlace = bytes[28];
  if (auto ok = check_size(shown, w, h, limits); !ok) return ok.error();

  // Walk the chunks to IEND: a file cut short is said so, whatever chunk it ends in.
  uint64_t idat_bytes = 0;
  for (std::size_t at = 8;;) {
    if (size - at < 12) return make_error(cut_off(shown, "PNG", size), "image");
    const uint32_t length = be32(bytes + at);
    if (length > 0x7FFFFFFFu) {
      return make_error(shown + " is a PNG with a chunk of impossible length (" +
                            std::to_string(length) + " bytes); the file is damaged",
                        "image");
    }
    if (size - at - 12 < length) return make_error(cut_off(shown, "PNG", size), "image");
    if (std::memcmp(bytes + at + 4, "IDAT", 4) == 0) idat_bytes += length;
    if (std::memcmp(bytes + at + 4, "IEND", 4) == 0) break;
    at += 12 + length;
  }

  // Bytes the pixel data inflates to (a filter byte per row; Adam7 adds < 4 per row), and the
  // largest decoded picture (4 channels of 16 bits).
  const int64_t samples = colour_type == 2 ? 3 : colour_type == 4 ? 2 : colour_type == 6 ? 4 : 1;
  const int64_t bits = std::clamp(depth, 1, 16);
  const int64_t raw = ((w * samples * bits + 7) / 8 + 1) * h + (interlace != 0 ? 4 * h + 64 : 0);
  const int64_t decoded = w * h * 4 * (bits > 8 ? 2 : 1);
  // NOTE: no encoder needs more than about 1.9 bytes of deflate data per byte it packs (15-bit
  // codes for 8-bit literals); more is damage or padding meant to make us copy it.
  if (static_cast<int64_t>(idat_bytes) > 2 * raw + 65536) {
    return make_error(shown + " is a PNG whose compressed pixel data (" +
                          std::to_string(idat_bytes) + " bytes) is larger than a " +
                          std::to_string(w) + "×" + std::to_string(h) +
                          " picture can need; the file is damaged",
                      "image");
  }
  // stb_image holds the joined IDAT data (capacity up to twice its size), the inflated rows, and
  // the picture in two formats while converting. Valid files stay well inside this.
  const StbBudgetScope budget(
      static_cast<std::size_t>(2 * idat_bytes + 4096 + 2 * raw + 2 * decoded + (1 << 20)));
  int info_w = 0, info_h = 0, comp = 0;
  if (stbi_info_from_memory(bytes, static_cast<int>(size), &info_w, &info_h, &comp) == 0) {
    const std::string reason = stbi_failure_reason();
    return make_error(shown + " is a PNG that cannot be decoded: " + png_problem(reason) +
                          " (stb_image: " + reason + "); the file is damaged",
                      "image");
  }
  // Grey stays grey, grey+alpha and RGBA lose nothing; everything becomes 8 bits per channel.
  const int want = comp >= 1 && comp <= 4 ? comp : 3;
  int dw = 0, dh = 0, dc = 0;
  stbi_uc* pixels = stbi_load_from_memory(bytes, static_cast<int>(size), &dw, &dh, &dc, want);
  if (pixels == nullptr) {
    if (budget.refused()) {
      return make_error(shown + " is a PNG whose pixel data unpacks to more than its " +
                            std::to_string(w) + "×" + std::to_string(h) +
                            " pixels need; the file is damaged (or made to exhaust memory)",
                        "image");
    }
    const std::string reason = stbi_failure_reason();
    return make_error(shown + " is a PNG that cannot be decoded: " + png_problem(reason) +
                          " (stb_image: " + reason + "); the file is damaged",
                      "image");
  }
  Image img;
  img.width = dw;
  img.height = dh;
  img.channels = want;
  img.pixels.assign(pixels, pixels + static_cast<std::size_t>(dw) * static_cast<std::size_t>(dh) *
                                         static_cast<std::size_t>(want));
  stbi_image_free(pixels);
  return img;
}

// ---- JPEG (libjpeg-turbo) -----------------------------------------------------------------------
// NOTE: libjpeg reports a fatal error by calling error_exit, which must not return. Ours
// longjmps to the setjmp in jpeg_guarded_header or jpeg_guarded_decode. Between a setjmp and its
// longjmp run only libjpeg's C code and the callbacks below, and JpegSession is trivially
// destructible, so the jump skips no destructor; decode_jpeg, which owns the C++ objects (the
// message, the pixels), calls setjmp nowhere.

// Our codes for a refusal that is no libjpeg message (libjpeg's codes are small and positive).
constexpr int k_jpeg_too_many_scans = -100;

struct JpegSession {
  jpeg_decompress_struct cinfo;
  jpeg_error_mgr err;
  jpeg_source_mgr src;
  jpeg_progress_mgr progress;
  std::jmp_buf jump;
  int max_scans;
  int code;                       // libjpeg's msg_code of what stopped the decoder, or ours
  char message[JMSG_LENGTH_MAX];  // libjpeg's sentence for it
};
static_assert(std::is_trivially_destructible_v<JpegSession>);

JpegSession& session_of(j_common_ptr cinfo) {
  return *static_cast<JpegSession*>(cinfo->client_data);
}

[[noreturn]] void jpeg_stop(j_common_ptr cinfo) {
  JpegSession& s = session_of(cinfo);
  s.code = cinfo->err->msg_code;
  (*cinfo->err->format_message)(cinfo, s.message);
  std::longjmp(s.jump, 1);
}

// Warnings that mean the picture would come out wrong are fatal; harmless ones (stray bytes between
// markers, which some cameras write; an unknown JFIF version or Adobe transform) are ignored as
// every JPEG viewer does.
void jpeg_message(j_common_ptr cinfo, int level) {
  if (level >= 0) return;  // trace messages
  switch (cinfo->err->msg_code) {
    case JWRN_ARITH_BAD_CODE:
    case JWRN_BOGUS_PROGRESSION:
    case JWRN_HIT_MARKER:
    case JWRN_HUFF_BAD_CODE:
    case JWRN_JPEG_EOF:
    case JWRN_MUST_RESYNC:
    case JWRN_NOT_SEQUENTIAL:
      jpeg_stop(cinfo);
    default:
      ++cinfo->err->num_warnings;
  }
}

void jpeg_print_nothing(j_common_ptr) {}

// Source: the whole file in memory. Asking for more than it holds means the file is cut off.
void jpeg_source_init(j_decompress_ptr) {}
boolean jpeg_source_fill(j_decompress_ptr cinfo) {
  ERREXIT(cinfo, JERR_INPUT_EOF);
  return FALSE;
}
void jpeg_source_skip(j_decompress_ptr cinfo, long count) {
  if (count <= 0) return;
  if (static_cast<unsigned long>(count) > cinfo->src->bytes_in_buffer)
    ERREXIT(cinfo, JERR_INPUT_EOF);
  cinfo->src->next_input_byte += count;
  cinfo->src->bytes_in_buffer -= static_cast<std::size_t>(count);
}
void jpeg_source_term(j_decompress_ptr) {}

// NOTE: every scan of a progressive JPEG revisits every block of the picture, and a tiny file can
// hold thousands of empty scans; count them as they come.
void jpeg_progress(j_common_ptr cinfo) {
  JpegSession& s = session_of(cinfo);
  const auto* dinfo = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (dinfo->input_scan_number > s.max_scans) {
    s.code = k_jpeg_too_many_scans;
    std::longjmp(s.jump, 1);
  }
}

// Sets up `s` (libjpeg's objects live inside it) and reads the markers up to the first scan.
bool jpeg_guarded_header(JpegSession& s, const uint8_t* bytes, std::size_t size) {
  if (setjmp(s.jump) != 0) return false;
  jpeg_create_decompress(&s.cinfo);
  s.cinfo.client_data = &s;
  s.src.next_input_byte = bytes;
  s.src.bytes_in_buffer = size;
  s.src.init_source = jpeg_source_init;
  s.src.fill_input_buffer = jpeg_source_fill;
  s.src.skip_input_data = jpeg_source_skip;
  s.src.resync_to_restart = jpeg_resync_to_restart;
  s.src.term_source = jpeg_source_term;
  s.cinfo.src = &s.src;
  s.progress.progress_monitor = jpeg_progress;
  s.cinfo.progress = &s.progress;
  jpeg_read_header(&s.cinfo, TRUE);
  return true;
}

// [H, W, C] rows of `row_bytes` into `out`, C = cinfo.output_components.
bool jpeg_guarded_decode(JpegSession& s, uint8_t* out, std::size_t row_bytes) {
  if (setjmp(s.jump) != 0) return false;
  jpeg_start_decompress(&s.cinfo);
  while (s.cinfo.output_scanline < s.cinfo.output_height) {
    JSAMPROW row = out + static_cast<std::size_t>(s.cinfo.output_scanline) * row_bytes;
    jpeg_read_scanlines(&s.cinfo, &row, 1);
  }
  jpeg_finish_decompress(&s.cinfo);
  return true;
}

// What stopped libjpeg, as the part of a sentence after "photo.jpg is a JPEG ".
std::string jpeg_problem(int code) {
  switch (code) {
    case JERR_BAD_HUFF_TABLE:
    case JERR_DHT_INDEX:
      return "with a corrupt Huffman table";
    case JERR_NO_HUFF_TABLE:
      return "that uses a Huffman table it never defines";
    case JERR_DAC_INDEX:
    case JERR_DAC_VALUE:
    case JERR_NO_ARITH_TABLE:
      return "with a corrupt arithmetic-coding table";
    case JERR_DQT_INDEX:
      return "with a corrupt quantisation table";
    case JERR_NO_QUANT_TABLE:
    case JERR_MISMATCHED_QUANT_TABLE:
      return "that uses a quantisation table it never defines";
    case JERR_BAD_LENGTH:
      return "with a marker segment of impossible length";
    case JERR_SOF_DUPLICATE:
    case JERR_SOF_NO_SOS:
    case JERR_SOS_NO_SOF:
    case JERR_SOI_DUPLICATE:
    case JERR_EOI_EXPECTED:
      return "whose markers are out of order";
    case JERR_UNKNOWN_MARKER:
      return "with an invalid marker";
    case JERR_NO_IMAGE:
      return "that holds tables but no picture";
    case JERR_BAD_COMPONENT_ID:
    case JERR_COMPONENT_COUNT:
    case JERR_BAD_SAMPLING:
    case JERR_BAD_MCU_SIZE:
    case JERR_EMPTY_IMAGE:
    case JERR_IMAGE_TOO_BIG:
    case JERR_WIDTH_OVERFLOW:
    case JERR_BAD_J_COLORSPACE:
    case JERR_CCIR601_NOTIMPL:
    case JERR_FRACT_SAMPLE_NOTIMPL:
      return "with a corrupt frame header (SOF)";
    case JERR_BAD_PROGRESSION:
    case JWRN_BOGUS_PROGRESSION:
    case JWRN_NOT_SEQUENTIAL:
      return "with corrupt scan parameters (SOS)";
    case JWRN_HUFF_BAD_CODE:
    case JWRN_ARITH_BAD_CODE:
    case JWRN_HIT_MARKER:
    case JWRN_MUST_RESYNC:
    case JERR_BAD_DCT_COEF:
      return "with corrupt compressed picture data";
    case JERR_OUT_OF_MEMORY:
    case JERR_NO_BACKING_STORE:
      return "that needs more memory to decode than its size warrants";
    default:
      return "that cannot be decoded";
  }
}

Result<Image> decode_jpeg(const uint8_t* bytes, std::size_t size, const std::string& shown,
                          const ImageLimits& limits) {
  JpegSession s{};
  s.cinfo.err = jpeg_std_error(&s.err);
  s.err.error_exit = jpeg_stop;
  s.err.emit_message = jpeg_message;
  s.err.output_message = jpeg_print_nothing;
  s.cinfo.client_data = &s;
  s.max_scans = limits.max_jpeg_scans;
  struct Destroy {
    JpegSession& s;
    ~Destroy() { jpeg_destroy_decompress(&s.cinfo); }
  } destroy{s};

  auto failure = [&]() -> Error {
    if (s.code == JERR_INPUT_EOF) return make_error(cut_off(shown, "JPEG", size), "image");
    if (s.code == k_jpeg_too_many_scans) {
      return make_error(shown + " is a progressive JPEG with more than " +
                            std::to_string(limits.max_jpeg_scans) +
                            " scans (encoders write about 10) and every scan revisits the whole "
                            "picture; ConvScope refuses it: re-save it as a baseline JPEG or a PNG",
                        "image");
    }
    if (s.code == JERR_BAD_PRECISION) {
      return make_error(
          shown + " is a JPEG with " + std::to_string(s.cinfo.data_precision) +
              "-bit samples; ConvScope reads 8-bit JPEGs: re-save it as an 8-bit JPEG or a PNG",
          "image");
    }
    if (s.code == JERR_SOF_UNSUPPORTED || s.code == JERR_NOT_COMPILED) {
      return make_error(shown + " is a JPEG of a kind ConvScope cannot read (libjpeg-turbo: " +
                            s.message + "); re-save it as a baseline JPEG or a PNG",
                        "image");
    }
    return make_error(shown + " is a JPEG " + jpeg_problem(s.code) +
                          " (libjpeg-turbo: " + s.message + "); the file is damaged",
                      "image");
  };

  if (!jpeg_guarded_header(s, bytes, size)) return failure();
  const int64_t w = s.cinfo.image_width, h = s.cinfo.image_height;
  if (auto ok = check_size(shown, w, h, limits); !ok) return ok.error();
  const int components = s.cinfo.num_components;
  if (components != 1 && components != 3 && components != 4) {
    return make_error(
        shown + " is a JPEG with " + std::to_string(components) +
            " colour components; ConvScope reads grey (1), colour (3) and CMYK (4) JPEGs",
        "image");
  }
  s.cinfo.out_color_space = components == 1 ? JCS_GRAYSCALE : components == 3 ? JCS_RGB : JCS_CMYK;
  // Progressive and multi-scan files keep 2 bytes per coefficient of every component, padded to
  // whole MCUs; anything beyond that plus working buffers is refused.
  s.cinfo.mem->max_memory_to_use =
      static_cast<long>((w + 64) * (h + 64) * 2 * components + (64 << 20));

  const std::size_t row_bytes = static_cast<std::size_t>(w) * static_cast<std::size_t>(components);
  std::vector<uint8_t> decoded(row_bytes * static_cast<std::size_t>(h));
  if (!jpeg_guarded_decode(s, decoded.data(), row_bytes)) return failure();
  if (s.cinfo.output_width != w || s.cinfo.output_height != h ||
      s.cinfo.output_components != components) {
    return make_error(shown + " is a JPEG that cannot be decoded (libjpeg-turbo returned a " +
                          std::to_string(s.cinfo.output_width) + "×" +
                          std::to_string(s.cinfo.output_height) + " picture); the file is damaged",
                      "image");
  }

  Image img;
  img.width = static_cast<int>(w);
  img.height = static_cast<int>(h);
  if (components != 4) {
    img.channels = components;
    img.pixels = std::move(decoded);
    return img;
  }
  // NOTE: Adobe's CMYK JPEGs store inverted ink, so C·K/255 is red's share of white (stb_image
  // computed the same, libjpeg already turned YCCK into CMYK).
  img.channels = 3;
  const std::size_t count = static_cast<std::size_t>(w * h);
  img.pixels.resize(count * 3);
  for (std::size_t i = 0; i < count; ++i) {
    const unsigned k = decoded[i * 4 + 3];
    for (std::size_t c = 0; c < 3; ++c) {
      const unsigned t = decoded[i * 4 + c] * k + 128;
      img.pixels[i * 3 + c] = static_cast<uint8_t>((t + (t >> 8)) >> 8);
    }
  }
  return img;
}

}  // namespace

std::string sniff_image_format(const uint8_t* b, std::size_t n) {
  if (starts_with(b, n, "\x89PNG\r\n\x1a\n", 8)) return "PNG";
  if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return "JPEG";
  if (starts_with(b, n, "GIF87a", 6) || starts_with(b, n, "GIF89a", 6)) return "GIF";
  if (starts_with(b, n, "BM", 2)) return "BMP";
  if (n >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '7') return "PNM (PBM/PGM/PPM)";
  if (starts_with(b, n, "RIFF", 4) && n >= 12 && std::memcmp(b + 8, "WEBP", 4) == 0) return "WebP";
  if (starts_with(b, n, "II*\0", 4) || starts_with(b, n, "MM\0*", 4)) return "TIFF";
  if (starts_with(b, n, "8BPS", 4)) return "PSD";
  if (starts_with(b, n, "#?RADIANCE", 10) || starts_with(b, n, "#?RGBE", 6)) return "HDR";
  if (starts_with(b, n, "qoif", 4)) return "QOI";
  if (n >= 12 && std::memcmp(b + 4, "ftyp", 4) == 0) return "HEIF/AVIF";
  if (starts_with(b, n, "\0\0\1\0", 4)) return "ICO";
  return "";
}

Result<Image> decode_image(const uint8_t* bytes, std::size_t size, const std::string& name,
                           const ImageLimits& limits) {
  const std::string shown = base_name(name);
  const std::string format = sniff_image_format(bytes, size);
  if (format.empty()) {
    return make_error(shown +
                          " is not a PNG or JPEG image (its first bytes match no image "
                          "format); ConvScope reads PNG and JPEG",
                      "image");
  }
  if (format != "PNG" && format != "JPEG") {
    const std::size_t dot = shown.rfind('.');
    const std::string stem = dot == std::string::npos || dot == 0 ? shown : shown.substr(0, dot);
    // A GIF misnamed x.png must not be told to convert x.png into x.png.
    const std::string target = stem + ".png" == shown ? stem + "-converted.png" : stem + ".png";
    return make_error(shown + " is a " + format +
                          " image; ConvScope reads PNG and JPEG: convert it first, for example "
                          "with ImageMagick: convert " +
                          shown + " " + target,
                      "image");
  }
  if (size > static_cast<std::size_t>(INT32_MAX)) {
    return make_error(shown + " is larger than 2 GiB; ConvScope reads images up to " +
                          std::to_string(limits.max_file_bytes >> 20) + " MiB",
                      "image");
  }
  return format == "PNG" ? decode_png(bytes, size, shown, limits)
                         : decode_jpeg(bytes, size, shown, limits);
}

Result<Image> load_image(const std::string& path, const ImageLimits& limits) {
  // A picture over the limits is refused from its first 64 KiB, before the whole file is read (an
  // 8000×8000 PNG is 150 MB).
  // read_file_head refuses what is not a regular file (a folder, /dev/zero, a FIFO) first.
  {
    uint64_t file_size = 0;
    Result<std::vector<uint8_t>> head = read_file_head(path, 64 * 1024, file_size);
    if (!head) return make_error(head.error().message, "image");
    int64_t w = 0, h = 0;
    if (declared_size(head->data(), head->size(), w, h)) {
      if (auto ok = check_size(base_name(path), w, h, limits); !ok) return ok.error();
    }
  }
  Result<std::vector<uint8_t>> bytes = read_file(path, limits.max_file_bytes);
  if (!bytes) return make_error(bytes.error().message, "image");
  return decode_image(bytes->data(), bytes->size(), path, limits);
}

// Image (H, W, channels) => [1, C, H, W]
Tensor image_to_tensor(const Image& image, int channels) {
  const int src_c = image.channels;
  const bool src_colour = src_c >= 3;
  const int c = channels == 0 ? (src_colour ? 3 : 1) : channels;
  const int64_t h = image.height, w = image.width, plane = h * w;
  Tensor t(DType::f32, {1, c, h, w});
  float* out = t.data<float>();
  for (int64_t i = 0; i < plane; ++i) {
    const uint8_t* px = &image.pixels[static_cast<std::size_t>(i * src_c)];
    if (c == 3) {
      for (int ch = 0; ch < 3; ++ch)
        out[ch * plane + i] = (src_colour ? px[ch] : px[0]) / 255.0f;
    } else {
      out[i] =
          src_colour ? (0.299f * px[0] + 0.587f * px[1] + 0.114f * px[2]) / 255.0f : px[0] / 255.0f;
    }
  }
  return t;
}

// [1, C, H, W] => Image (H, W, 3) or (H, W, 1)
Image tensor_to_image(const Tensor& map) {
  Image img;
  if (map.ndim() != 4) return img;
  const int64_t c = map.dim(1), h = map.dim(2), w = map.dim(3), plane = h * w;
  img.width = static_cast<int>(w);
  img.height = static_cast<int>(h);
  img.channels = c == 1 ? 1 : 3;
  img.pixels.resize(static_cast<std::size_t>(plane * img.channels));
  for (int64_t i = 0; i < plane; ++i) {
    for (int ch = 0; ch < img.channels; ++ch) {
      double v = map.get(ch * plane + i);
      if (std::isnan(v)) v = 0;
      v = std::min(std::max(v, 0.0), 1.0);
      img.pixels[static_cast<std::size_t>(i * img.channels + ch)] =
          static_cast<uint8_t>(static_cast<int>(v * 255.0 + 0.5));
    }
  }
  return img;
}

Image image_to_rgba(const Image& image) {
  Image out;
  out.width = image.width;
  out.height = image.height;
  out.channels = 4;
  const std::size_t count = static_cast<std::size_t>(image.width) * image.height;
  out.pixels.resize(count * 4);
  const int c = image.channels;
  for (std::size_t i = 0; i < count; ++i) {
    const uint8_t* px = &image.pixels[i * static_cast<std::size_t>(c)];
    uint8_t* o = &out.pixels[i * 4];
    o[0] = px[0];
    o[1] = c >= 3 ? px[1] : px[0];
    o[2] = c >= 3 ? px[2] : px[0];
    o[3] = c == 2 ? px[1] : c == 4 ? px[3] : 255;
  }
  return out;
}

namespace {
void append_bytes(void* context, void* data, int size) {
  auto* out = static_cast<std::vector<uint8_t>*>(context);
  const auto* p = static_cast<const uint8_t*>(data);
  out->insert(out->end(), p, p + size);
}
}  // namespace

Result<std::vector<uint8_t>> encode_png(const Image& image) {
  if (image.width <= 0 || image.height <= 0 || image.channels < 1 || image.channels > 4 ||
      image.pixels.size() != static_cast<std::size_t>(image.width) * image.height *
                                 static_cast<std::size_t>(image.channels)) {
    return make_error("cannot write a " + std::to_string(image.width) + "×" +
                      std::to_string(image.height) + " image with " +
                      std::to_string(image.channels) + " channels as PNG");
  }
  std::vector<uint8_t> bytes;
  const int ok =
      stbi_write_png_to_func(append_bytes, &bytes, image.width, image.height, image.channels,
                             image.pixels.data(), image.width * image.channels);
  if (ok == 0) return make_error("encoding the PNG failed (out of memory?)");
  return bytes;
}

Status write_png(const std::string& path, const Image& image) {
  Result<std::vector<uint8_t>> bytes = encode_png(image);
  if (!bytes) return bytes.error();
  return write_file_atomic(path, bytes->data(), bytes->size());
}

}  // namespace cs
