// The typed Redis Streams commands, and the few key commands (SCAN, TYPE,
// DEL) that working with streams needs: builders that append a command to a
// resp::Request and decoders that turn its reply into typed values. No I/O.
#pragma once

#include <redstream/commands/keys.hpp>
#include <redstream/commands/types.hpp>
#include <redstream/commands/xack.hpp>
#include <redstream/commands/xadd.hpp>
#include <redstream/commands/xclaim.hpp>
#include <redstream/commands/xgroup.hpp>
#include <redstream/commands/xinfo.hpp>
#include <redstream/commands/xpending.hpp>
#include <redstream/commands/xrange.hpp>
#include <redstream/commands/xread.hpp>
#include <redstream/commands/xtrim.hpp>
