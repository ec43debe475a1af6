// Everything redstream offers, in one include.
#pragma once

#include <redstream/commands/commands.hpp>
#include <redstream/core/error.hpp>
#include <redstream/core/log.hpp>
#include <redstream/core/message_id.hpp>
#include <redstream/core/stream.hpp>
#include <redstream/core/url.hpp>
#include <redstream/net/client.hpp>
#include <redstream/net/config.hpp>
#include <redstream/redis/admin.hpp>
#include <redstream/redis/consumer.hpp>
#include <redstream/redis/producer.hpp>
#include <redstream/redis/sharder.hpp>
#include <redstream/redis/streamer.hpp>
#include <redstream/resp/reader.hpp>
#include <redstream/resp/request.hpp>
#include <redstream/resp/value.hpp>
#include <redstream/version.hpp>
