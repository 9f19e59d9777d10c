#include "core/io/rewritten_file.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace budget_exports::io {

std::FILE* open_for_rewrite(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return nullptr;
  std::FILE* file = ::fdopen(fd, "wb");  // "w" on an open descriptor does not truncate
  if (!file) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
  }
  return file;
}

bool close_rewritten(std::FILE* file) {
  bool ok = std::fflush(file) == 0;
  if (ok) {
    // only a longer previous content is cut (a same-size ftruncate still journals the
    // inode's new times)
    const long end = std::ftell(file);
    struct stat st {};
    ok = end >= 0 && ::fstat(::fileno(file), &st) == 0 &&
         (st.st_size <= end || ::ftruncate(::fileno(file), static_cast<off_t>(end)) == 0);
  }
  const int saved = errno;
  const bool closed = std::fclose(file) == 0;
  if (!ok) errno = saved;
  return ok && closed;
}

}  // namespace budget_exports::io
