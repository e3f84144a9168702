#include "strata/filesystem.h"

#include "common/random.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

namespace strata {
namespace {

std::string ParentDir(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status ErrnoStatus(const std::string& what, const std::string& path, int err) {
  std::string msg = what + " '" + path + "': " + std::strerror(err);
  if (err == ENOENT) return Status::NotFound(std::move(msg));
  if (err == EEXIST) return Status::AlreadyExists(std::move(msg));
  return Status::IOError(std::move(msg));
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Append(std::string_view data) override {
    if (fd_ < 0) return Status::IOError("append to closed file '" + path_ + "'");
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus("write", path_, errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::OK();
  }
  Status Sync() override {
    if (fd_ < 0) return Status::IOError("sync of closed file '" + path_ + "'");
    if (::fsync(fd_) != 0) return ErrnoStatus("fsync", path_, errno);
    return Status::OK();
  }
  Status Close() override {
    if (fd_ < 0) return Status::IOError("file '" + path_ + "' closed twice");
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return ErrnoStatus("close", path_, errno);
    return Status::OK();
  }

 private:
  std::string path_;
  int fd_;
};

class LocalFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoStatus("cannot create file", path, errno);
    return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd));
  }

  Result<std::string> ReadFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("cannot open file", path, errno);
    struct stat st;
    if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
      ::close(fd);
      return Status::InvalidArgument("'" + path + "' is a directory, not a file");
    }
    std::string out;
    char buf[1 << 16];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        Status st_err = ErrnoStatus("read", path, errno);
        ::close(fd);
        return st_err;
      }
      if (n == 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return out;
  }

  Status LinkIfAbsent(const std::string& source, const std::string& target) override {
    if (::link(source.c_str(), target.c_str()) != 0) {
      return ErrnoStatus("cannot link '" + source + "' to", target, errno);
    }
    return Status::OK();
  }

  Status Rename(const std::string& source, const std::string& target) override {
    if (::rename(source.c_str(), target.c_str()) != 0) {
      return ErrnoStatus("cannot rename '" + source + "' to", target, errno);
    }
    return Status::OK();
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoStatus("cannot remove", path, errno);
    return Status::OK();
  }

  Status CreateDirs(const std::string& path) override {
    if (path.empty()) return Status::OK();
    struct stat st;
    if (::stat(path.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) return Status::OK();
      return Status::AlreadyExists("'" + path + "' exists and is not a directory");
    }
    std::string parent = ParentDir(path);
    if (parent != path && parent != "." && parent != "/") {
      STRATA_RETURN_NOT_OK(CreateDirs(parent));
    }
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
      return ErrnoStatus("cannot create directory", path, errno);
    }
    return Status::OK();
  }

  Status SyncDir(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus("cannot open directory", path, errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return ErrnoStatus("fsync of directory", path, err);
    return Status::OK();
  }

  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) return ErrnoStatus("cannot list directory", path, errno);
    std::vector<std::string> names;
    while (struct dirent* entry = ::readdir(dir)) {
      std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
  }

  Result<FileInfo> Stat(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return ErrnoStatus("cannot stat", path, errno);
    FileInfo info;
    info.is_directory = S_ISDIR(st.st_mode);
    info.size = static_cast<uint64_t>(st.st_size);
    info.modified_ms =
        static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
    return info;
  }
};

}  // namespace

Status FileSystem::WriteFileAtomic(const std::string& path, std::string_view data) {
  std::string tmp = TempPathFor(path);
  Status st = [&]() -> Status {
    STRATA_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, NewWritableFile(tmp));
    STRATA_RETURN_NOT_OK(file->Append(data));
    STRATA_RETURN_NOT_OK(file->Sync());
    STRATA_RETURN_NOT_OK(file->Close());
    STRATA_RETURN_NOT_OK(Rename(tmp, path));
    return SyncDir(ParentDir(path));
  }();
  if (!st.ok()) (void)RemoveFile(tmp);
  return st;
}

std::unique_ptr<FileSystem> NewLocalFileSystem() { return std::make_unique<LocalFileSystem>(); }

// ---------------------------------------------------------------------------------------
// MemoryFileSystem

struct MemoryFileSystem::Node {
  std::string data;
  std::string synced_data;
  bool ever_synced = false;
  int64_t modified_ms = 0;
};

class MemoryFileSystem::MemoryWritableFile final : public WritableFile {
 public:
  MemoryWritableFile(MemoryFileSystem* fs, std::string path, std::shared_ptr<Node> node)
      : fs_(fs), path_(std::move(path)), node_(std::move(node)) {}

  Status Append(std::string_view data) override {
    std::lock_guard<std::mutex> lock(fs_->mutex_);
    if (closed_) return Status::IOError("append to closed file '" + path_ + "'");
    STRATA_RETURN_NOT_OK(fs_->CheckFault(FsOp::kAppend, path_));
    node_->data.append(data);
    node_->modified_ms = ++fs_->clock_ms_;
    return Status::OK();
  }
  Status Sync() override {
    std::lock_guard<std::mutex> lock(fs_->mutex_);
    if (closed_) return Status::IOError("sync of closed file '" + path_ + "'");
    STRATA_RETURN_NOT_OK(fs_->CheckFault(FsOp::kSync, path_));
    node_->synced_data = node_->data;
    node_->ever_synced = true;
    return Status::OK();
  }
  Status Close() override {
    std::lock_guard<std::mutex> lock(fs_->mutex_);
    if (closed_) return Status::IOError("file '" + path_ + "' closed twice");
    closed_ = true;
    return fs_->CheckFault(FsOp::kClose, path_);
  }

 private:
  MemoryFileSystem* fs_;  // borrowed; outlives the file
  std::string path_;
  std::shared_ptr<Node> node_;
  bool closed_ = false;
};

MemoryFileSystem::MemoryFileSystem() {
  dirs_["/"] = true;
  dirs_["."] = true;
}
MemoryFileSystem::~MemoryFileSystem() = default;

void MemoryFileSystem::InjectFault(FsOp op, std::string path_part, int count, int skip) {
  std::lock_guard<std::mutex> lock(mutex_);
  faults_.push_back(Fault{op, std::move(path_part), count, skip});
}

void MemoryFileSystem::ClearFaults() {
  std::lock_guard<std::mutex> lock(mutex_);
  faults_.clear();
}

int MemoryFileSystem::CallCount(FsOp op) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = calls_.find(op);
  return it == calls_.end() ? 0 : it->second;
}

Status MemoryFileSystem::CheckFault(FsOp op, const std::string& path) {
  ++calls_[op];
  for (Fault& fault : faults_) {
    if (fault.op != op || fault.count <= 0) continue;
    if (path.find(fault.path_part) == std::string::npos) continue;
    if (fault.skip > 0) {
      --fault.skip;
      continue;
    }
    --fault.count;
    return Status::IOError("injected fault on '" + path + "'");
  }
  return Status::OK();
}

void MemoryFileSystem::DropUnsyncedData() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = files_.begin(); it != files_.end();) {
    Node& node = *it->second.node;
    if (!it->second.durable || !node.ever_synced) {
      it = files_.erase(it);
      continue;
    }
    node.data = node.synced_data;
    ++it;
  }
  for (auto it = dirs_.begin(); it != dirs_.end();) {
    it = it->second ? std::next(it) : dirs_.erase(it);
  }
}

Result<std::unique_ptr<WritableFile>> MemoryFileSystem::NewWritableFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  STRATA_RETURN_NOT_OK(CheckFault(FsOp::kOpenWrite, path));
  if (dirs_.count(path))
    return Status::IOError("cannot create file '" + path + "': is a directory");
  if (!dirs_.count(ParentDir(path))) {
    return Status::NotFound("cannot create file '" + path + "': no such directory");
  }
  auto node = std::make_shared<Node>();
  node->modified_ms = ++clock_ms_;
  auto it = files_.find(path);
  if (it != files_.end()) {
    // Truncating an existing file keeps its directory entry.
    it->second.node->data.clear();
    node = it->second.node;
  } else {
    files_[path] = Entry{node, false};
  }
  return std::unique_ptr<WritableFile>(new MemoryWritableFile(this, path, node));
}

Result<std::string> MemoryFileSystem::ReadFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  STRATA_RETURN_NOT_OK(CheckFault(FsOp::kRead, path));
  if (dirs_.count(path))
    return Status::InvalidArgument("'" + path + "' is a directory, not a file");
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound("cannot open file '" + path + "': not found");
  return it->second.node->data;
}

Status MemoryFileSystem::LinkIfAbsent(const std::string& source, const std::string& target) {
  std::lock_guard<std::mutex> lock(mutex_);
  STRATA_RETURN_NOT_OK(CheckFault(FsOp::kLink, target));
  auto it = files_.find(source);
  if (it == files_.end()) return Status::NotFound("cannot link '" + source + "': not found");
  if (files_.count(target) || dirs_.count(target)) {
    return Status::AlreadyExists("cannot link '" + source + "' to '" + target + "': exists");
  }
  if (!dirs_.count(ParentDir(target))) {
    return Status::NotFound("cannot link to '" + target + "': no such directory");
  }
  files_[target] = Entry{it->second.node, false};
  return Status::OK();
}

Status MemoryFileSystem::Rename(const std::string& source, const std::string& target) {
  std::lock_guard<std::mutex> lock(mutex_);
  STRATA_RETURN_NOT_OK(CheckFault(FsOp::kRename, target));
  auto it = files_.find(source);
  if (it == files_.end()) return Status::NotFound("cannot rename '" + source + "': not found");
  if (!dirs_.count(ParentDir(target))) {
    return Status::NotFound("cannot rename to '" + target + "': no such directory");
  }
  std::shared_ptr<Node> node = it->second.node;
  files_.erase(it);
  files_[target] = Entry{node, false};
  return Status::OK();
}

Status MemoryFileSystem::RemoveFile(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  STRATA_RETURN_NOT_OK(CheckFault(FsOp::kRemove, path));
  if (files_.erase(path) == 0) return Status::NotFound("cannot remove '" + path + "': not found");
  return Status::OK();
}

Status MemoryFileSystem::CreateDirs(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  STRATA_RETURN_NOT_OK(CheckFault(FsOp::kCreateDir, path));
  if (files_.count(path))
    return Status::AlreadyExists("'" + path + "' exists and is not a directory");
  std::string p = path;
  while (!p.empty() && p != "." && p != "/" && !dirs_.count(p)) {
    dirs_[p] = false;
    p = ParentDir(p);
  }
  return Status::OK();
}

Status MemoryFileSystem::SyncDir(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  STRATA_RETURN_NOT_OK(CheckFault(FsOp::kSyncDir, path));
  if (!dirs_.count(path))
    return Status::NotFound("cannot open directory '" + path + "': not found");
  for (auto& [file_path, entry] : files_) {
    if (ParentDir(file_path) == path) entry.durable = true;
  }
  for (auto& [dir_path, durable] : dirs_) {
    if (ParentDir(dir_path) == path) durable = true;
  }
  dirs_[path] = true;
  return Status::OK();
}

Result<std::vector<std::string>> MemoryFileSystem::ListDir(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  STRATA_RETURN_NOT_OK(CheckFault(FsOp::kList, path));
  if (!dirs_.count(path))
    return Status::NotFound("cannot list directory '" + path + "': not found");
  std::vector<std::string> names;
  auto add_child = [&](const std::string& child) {
    if (child != path && ParentDir(child) == path)
      names.push_back(child.substr(child.rfind('/') + 1));
  };
  for (const auto& [file_path, entry] : files_) add_child(file_path);
  for (const auto& [dir_path, durable] : dirs_) add_child(dir_path);
  std::sort(names.begin(), names.end());
  return names;
}

Result<FileInfo> MemoryFileSystem::Stat(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (dirs_.count(path)) return FileInfo{true, 0, 0};
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound("cannot stat '" + path + "': not found");
  return FileInfo{false, it->second.node->data.size(), it->second.node->modified_ms};
}

}  // namespace strata
