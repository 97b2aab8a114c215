// Bytes received in one message but not yet handed to the reader. Messages may be larger than
// what Read(max) asks for; the rest waits here for the next Read.
#ifndef TCPAAS_CLIENTS_CPP_READ_BUFFER_H_
#define TCPAAS_CLIENTS_CPP_READ_BUFFER_H_

#include <algorithm>
#include <cstddef>
#include <string>

namespace tcpaas::client {

class ReadBuffer {
 public:
  bool empty() const { return offset_ == bytes_.size(); }
  size_t size() const { return bytes_.size() - offset_; }

  // Adds a message's bytes after what is held. Takes the string without copying when empty.
  void Append(std::string&& data) {
    if (empty()) {
      bytes_ = std::move(data);
      offset_ = 0;
    } else {
      bytes_.append(data);
    }
  }

  // Removes and returns up to `max` bytes from the front.
  std::string Take(size_t max) {
    const size_t n = std::min(max, size());
    if (offset_ == 0 && n == bytes_.size()) {
      std::string all = std::move(bytes_);
      bytes_.clear();
      return all;
    }
    std::string out = bytes_.substr(offset_, n);
    offset_ += n;
    if (empty()) {
      bytes_.clear();
      offset_ = 0;
    }
    return out;
  }

 private:
  std::string bytes_;
  size_t offset_ = 0;
};

}  // namespace tcpaas::client

#endif  // TCPAAS_CLIENTS_CPP_READ_BUFFER_H_
