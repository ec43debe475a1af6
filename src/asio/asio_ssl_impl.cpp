// The TLS part of Asio, compiled once for the same reason as asio_impl.cpp.
#include <asio/ssl/impl/src.hpp>
