// Redis Cluster's key → hash slot function (CRC16-CCITT/XMODEM of the key, or
// of its hash tag, modulo 16384). Requests record each key's slot as they are
// built, so that a router can send them to the node that owns it.
#pragma once

#include <cstdint>
#include <string_view>

namespace redstream::cluster {

/// Number of hash slots in a Redis Cluster.
inline constexpr std::uint16_t slot_count = 16384;

/// CRC16 as Redis Cluster uses it (polynomial 0x1021, initial value 0, no
/// reflection): crc16("123456789") == 0x31C3.
std::uint16_t crc16(std::string_view bytes) noexcept;

/// The part of `key` that is hashed: the text between the first `{` and the
/// next `}` when that is non-empty (a hash tag), else the whole key.
std::string_view hash_tag(std::string_view key) noexcept;

/// The hash slot of `key`, 0..16383.
inline std::uint16_t key_slot(std::string_view key) noexcept {
    return static_cast<std::uint16_t>(crc16(hash_tag(key)) & (slot_count - 1));
}

}  // namespace redstream::cluster
