// read_file / write_file_atomic over POSIX calls (rename is atomic within a directory).
#include "file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace cs {

Result<std::vector<uint8_t>> read_file(const std::string& path, uint64_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return make_error("cannot open '" + path + "': " + std::strerror(errno) + "; check the path");
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error("'" + path + "' is not a regular file; give a file, not a directory");
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return make_error("'" + path + "' is " + std::to_string(st.st_size) +
                      " bytes, more than the limit of " + std::to_string(max_bytes) + " bytes");
  }
  std::vector<uint8_t> bytes(static_cast<std::size_t>(st.st_size));
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

Status write_file_atomic(const std::string& path, const void* data, std::size_t size) {
  std::random_device rd;
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(rd());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    return make_error("cannot write '" + path + "': " + std::strerror(errno) +
                      "; check that the folder exists and is writable");
  }
  const auto* p = static_cast<const uint8_t*>(data);
  std::size_t done = 0;
  while (done < size) {
    ssize_t w = ::write(fd, p + done, size - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return make_error("writing '" + path + "' failed: " + std::strerror(e) +
                        " (nothing was written)");
    }
    done += static_cast<std::size_t>(w);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return make_error("writing '" + path + "' failed: " + std::strerror(e) +
                      " (nothing was written)");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return make_error("cannot replace '" + path + "': " + std::strerror(e) +
                      " (nothing was written)");
  }
  return ok();
}

}  // namespace cs
