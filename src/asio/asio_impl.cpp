// Asio is header-only; compiling its implementation once here (with
// ASIO_SEPARATE_COMPILATION) keeps every other translation unit light.
#include <asio/impl/src.hpp>
