// The TLS part of Asio, compiled once, in redstream-tls only: the core
// library has no TLS code (see src/net/tls.hpp). A program that uses
// asio::ssl itself links redstream::tls for it.
#include <asio/ssl/impl/src.hpp>
