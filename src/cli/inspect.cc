#include "cli/inspect.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "encode/parquet/parquet_inspect.h"

namespace tracklake {

int Inspect(const std::string& path, size_t rows) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    std::cerr << "cannot open " << path << "\n";
    return 2;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  std::string report;
  const Status s = InspectParquet(ss.str(), rows, report);
  std::cout << report;
  if (!s.ok()) {
    std::cerr << path << ": " << s.ToString() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace tracklake
