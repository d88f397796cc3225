// read_file / AtomicWriter over POSIX calls (rename is atomic within a directory).
#include "file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

namespace cs {

namespace {

// Opens `path` for reading if it is a regular file; its size in `size`. -1 and `why` otherwise.
int open_regular(const std::string& path, uint64_t& size, std::string& why) {
  // NOTE: O_NONBLOCK so that opening a FIFO with no writer returns (to be refused below) instead
  // of waiting for ever; it changes nothing for a regular file.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    why = "cannot open '" + path + "': " + std::strerror(errno) + "; check the path";
    return -1;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    why = "'" + path + "' is not a regular file (" +
          (S_ISDIR(st.st_mode) ? "a folder" : "a device, a pipe or a socket") + "); give a file";
    return -1;
  }
  size = static_cast<uint64_t>(st.st_size);
  return fd;
}

// Reads `count` bytes from the start of fd into a new vector (closes fd).
Result<std::vector<uint8_t>> read_bytes(int fd, const std::string& path, std::size_t count) {
  std::vector<uint8_t> bytes(count);
  std::size_t got = 0;
  while (got < bytes.size()) {
    ssize_t r = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      ::close(fd);
      return make_error("reading '" + path + "' failed after " + std::to_string(got) +
                        " bytes: " + (r < 0 ? std::strerror(errno) : "the file got shorter"));
    }
    got += static_cast<std::size_t>(r);
  }
  ::close(fd);
  return bytes;
}

}  // namespace

Result<std::vector<uint8_t>> read_file(const std::string& path, uint64_t max_bytes) {
  uint64_t size = 0;
  std::string why;
  const int fd = open_regular(path, size, why);
  if (fd < 0) return make_error(why);
  if (size > max_bytes) {
    ::close(fd);
    return make_error("'" + path + "' is " + std::to_string(size) +
                      " bytes, more than the limit of " + std::to_string(max_bytes) + " bytes");
  }
  return read_bytes(fd, path, static_cast<std::size_t>(size));
}

Result<std::vector<uint8_t>> read_file_head(const std::string& path, uint64_t max_bytes,
                                            uint64_t& file_size) {
  std::string why;
  const int fd = open_regular(path, file_size, why);
  if (fd < 0) return make_error(why);
  return read_bytes(fd, path, static_cast<std::size_t>(std::min(file_size, max_bytes)));
}

namespace {

// Why `path` cannot be an output, or "" when it can be written through a rename (a new name or
// a regular file). Sets `stream` for a character device or FIFO, which is written in place.
std::string destination_problem(const std::string& path, bool& stream) {
  stream = false;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return "";  // a new file (or a folder error open() names)
  if (S_ISREG(st.st_mode)) return "";
  if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
    stream = true;
    return "";
  }
  if (S_ISLNK(st.st_mode)) {
    return "'" + path +
           "' is a symbolic link; ConvScope replaces a file whole and would replace the link "
           "itself, so give the path of the file it points to";
  }
  if (S_ISDIR(st.st_mode)) {
    return "'" + path + "' is a folder; give a file name inside it, e.g. '" + path + "/out'";
  }
  return "'" + path + "' is not a regular file (a socket or a block device); give a file name";
}

}  // namespace

AtomicWriter::~AtomicWriter() {
  discard();
}

void AtomicWriter::discard() {
  if (m_fd >= 0) ::close(m_fd);
  m_fd = -1;
  if (!m_tmp.empty()) ::unlink(m_tmp.c_str());
  m_tmp.clear();
}

Status AtomicWriter::open(const std::string& path) {
  discard();
  m_path = path;
  bool stream = false;
  if (std::string why = destination_problem(path, stream); !why.empty()) {
    return make_error(why);
  }
  if (stream) {
    m_fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (m_fd < 0) {
      return make_error("cannot write '" + path + "': " + std::strerror(errno));
    }
    return ok();
  }
  std::random_device rd;
  m_tmp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
  // 0666 less the umask: what any other program's new file gets.
  m_fd = ::open(m_tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
  if (m_fd < 0) {
    const int e = errno;
    m_tmp.clear();
    return make_error("cannot write '" + path + "': " + std::strerror(e) +
                      "; check that the folder exists and is writable");
  }
  return ok();
}

Status AtomicWriter::write(const void* data, std::size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t w = ::write(m_fd, p + done, size - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      const int e = w < 0 ? errno : ENOSPC;
      discard();
      return make_error("writing '" + m_path + "' failed: " + std::strerror(e) +
                        " (nothing was written; is the disk full?)");
    }
    done += static_cast<std::size_t>(w);
  }
  return ok();
}

Status AtomicWriter::commit() {
  if (m_tmp.empty()) {  // a device or FIFO: nothing to rename
    const bool closed = ::close(m_fd) == 0;
    m_fd = -1;
    if (!closed) return make_error("writing '" + m_path + "' failed: " + std::strerror(errno));
    return ok();
  }
  if (::fsync(m_fd) != 0 || ::close(m_fd) != 0) {
    const int e = errno;
    m_fd = -1;
    discard();
    return make_error("writing '" + m_path + "' failed: " + std::strerror(e) +
                      " (nothing was written)");
  }
  m_fd = -1;
  // NOTE: checked again just before the rename: the destination may have become a link since.
  bool stream = false;
  if (std::string why = destination_problem(m_path, stream); !why.empty() || stream) {
    discard();
    return make_error(why.empty() ? "'" + m_path + "' changed into a device while writing" : why);
  }
  if (::rename(m_tmp.c_str(), m_path.c_str()) != 0) {
    const int e = errno;
    discard();
    return make_error("cannot replace '" + m_path + "': " + std::strerror(e) +
                      " (nothing was written)");
  }
  m_tmp.clear();
  return ok();
}

Status write_file_atomic(const std::string& path, const void* data, std::size_t size) {
  AtomicWriter w;
  if (auto s = w.open(path); !s) return s;
  if (auto s = w.write(data, size); !s) return s;
  return w.commit();
}

}  // namespace cs
