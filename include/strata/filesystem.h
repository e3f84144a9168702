// FileSystem: the interface Strata's own file access goes through, so that the table
// log's commit protocol can be tested against injected faults and simulated crashes
// (MemoryFileSystem) and later run on object storage.
//
// What goes through it: the Delta log (commit files, put-if-absent, _last_checkpoint,
// listing), lake and table folders, existence and size checks of data files (writes,
// check, repair), vacuum's listing and removal. What does not: data files and Parquet
// checkpoints, which DuckDB reads and writes itself (read_parquet, read_csv, COPY) on
// local paths, and CSV/Parquet/JSON inputs named by the user. A lake on another
// FileSystem (LakeOptions::file_system) therefore keeps its data on local disk until
// DuckDB is given the same storage (its httpfs extension, with object storage).
//
// Paths are '/'-separated strings. Every method returns a Status or Result naming the
// path on failure; nothing throws.
//
// Thread-safety: LocalFileSystem is stateless and thread-safe. MemoryFileSystem guards
// its state with one mutex and is thread-safe. A WritableFile is used by one thread.
#pragma once

#include "strata/export.h"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "strata/status.h"

STRATA_API_BEGIN
namespace strata {

// A file opened for writing. Data reaches stable storage only after Sync().
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // Flushes written data to stable storage (fsync).
  virtual Status Sync() = 0;
  // Closes the file; further calls fail. The destructor closes a file left open.
  virtual Status Close() = 0;
};

struct FileInfo {
  bool is_directory = false;
  uint64_t size = 0;
  int64_t modified_ms = 0;  // milliseconds since the Unix epoch
};

// The operations a fault can be injected into (MemoryFileSystem).
enum class FsOp {
  kOpenWrite,
  kAppend,
  kSync,
  kClose,
  kRead,
  kLink,
  kRename,
  kRemove,
  kCreateDir,
  kSyncDir,
  kList,
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Creates or truncates `path` for writing.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) = 0;
  // Reads the whole file. NotFound if it does not exist; InvalidArgument if a directory.
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  // Creates `target` as a new name for `source`; fails with AlreadyExists if `target`
  // exists. This is the put-if-absent step of a commit: atomic on POSIX file systems.
  virtual Status LinkIfAbsent(const std::string& source, const std::string& target) = 0;
  // Renames, replacing `target` if it exists.
  virtual Status Rename(const std::string& source, const std::string& target) = 0;
  // Removes a file. NotFound if it does not exist.
  virtual Status RemoveFile(const std::string& path) = 0;
  // Creates a directory and its missing parents; OK if it exists.
  virtual Status CreateDirs(const std::string& path) = 0;
  // Makes the directory's entries durable (fsync of the directory).
  virtual Status SyncDir(const std::string& path) = 0;
  // Names (not paths) of the entries of a directory, sorted.
  virtual Result<std::vector<std::string>> ListDir(const std::string& path) = 0;
  // NotFound if `path` does not exist.
  virtual Result<FileInfo> Stat(const std::string& path) = 0;

  bool Exists(const std::string& path) { return Stat(path).ok(); }

  // Writes `data` to `path` whole: a temporary file in the same directory, fsync,
  // rename, fsync of the directory. Readers see the old or the new content, never a mix.
  Status WriteFileAtomic(const std::string& path, std::string_view data);
};

// The process's local disk, through POSIX calls.
std::unique_ptr<FileSystem> NewLocalFileSystem();

// An in-memory file system for tests. Faults can be injected into any operation, and
// a crash can be simulated by dropping every byte that was not synced.
class MemoryFileSystem final : public FileSystem {
 public:
  MemoryFileSystem();
  ~MemoryFileSystem() override;

  // The next `count` calls of `op` on a path containing `path_part` fail with an
  // IOError that says the fault was injected, after `skip` matching calls succeed.
  void InjectFault(FsOp op, std::string path_part, int count = 1, int skip = 0);
  void ClearFaults();
  // Number of calls of `op` made so far (for tests that fail every step in turn).
  int CallCount(FsOp op) const;
  // Simulates a power loss: each file returns to the content of its last Sync (files
  // never synced vanish), and directory entries not made durable by SyncDir vanish.
  void DropUnsyncedData();

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path) override;
  Result<std::string> ReadFile(const std::string& path) override;
  Status LinkIfAbsent(const std::string& source, const std::string& target) override;
  Status Rename(const std::string& source, const std::string& target) override;
  Status RemoveFile(const std::string& path) override;
  Status CreateDirs(const std::string& path) override;
  Status SyncDir(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& path) override;
  Result<FileInfo> Stat(const std::string& path) override;

 private:
  struct Node;
  struct Entry {
    std::shared_ptr<Node> node;
    bool durable = false;  // the directory entry survives DropUnsyncedData
  };
  class MemoryWritableFile;
  struct Fault {
    FsOp op;
    std::string path_part;
    int count;
    int skip;
  };

  // Returns an injected IOError when a fault matches; counts the call. Needs mutex_.
  Status CheckFault(FsOp op, const std::string& path);

  mutable std::mutex mutex_;
  // Guarded by mutex_:
  std::map<std::string, Entry> files_;  // path -> file
  std::map<std::string, bool> dirs_;    // path -> entry durable
  std::vector<Fault> faults_;
  std::map<FsOp, int> calls_;
  int64_t clock_ms_ = 0;
};

}  // namespace strata

STRATA_API_END
