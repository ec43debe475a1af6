/* rss_hiredis: the peer of the idle_rss / backlog_rss benchmarks, a plain C
 * hiredis program (run by bench/rss, which reads its max RSS).
 *   rss_hiredis idle PORT KEY            XREAD BLOCK 1000 STREAMS KEY $, then exit
 *   rss_hiredis wait PORT KEY MS         XREAD BLOCK MS STREAMS KEY $, then exit
 *   rss_hiredis backlog PORT KEY COUNT   XREAD COUNT 1000 from 0-0 until COUNT seen
 *   rss_hiredis fill PORT KEY COUNT      make KEY a stream of exactly COUNT
 *                                        entries `msg <64 x>` (unless it is one) */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(redisContext* c, const char* what) {
    fprintf(stderr, "rss_hiredis: %s: %s\n", what, c->err ? c->errstr : "unexpected reply");
    exit(1);
}

static redisReply* command(redisContext* c, redisReply* r) {
    if (!r) die(c, "command");
    if (r->type == REDIS_REPLY_ERROR) fprintf(stderr, "rss_hiredis: %s\n", r->str), exit(1);
    return r;
}

static void fill(redisContext* c, const char* key, long long count) {
    redisReply* r = command(c, redisCommand(c, "XLEN %s", key));
    const long long len = r->integer;
    freeReplyObject(r);
    if (len == count) return;
    freeReplyObject(command(c, redisCommand(c, "DEL %s", key)));
    char payload[64];
    memset(payload, 'x', sizeof payload);
    for (long long sent = 0; sent < count;) {
        const long long n = count - sent < 1000 ? count - sent : 1000;
        for (long long i = 0; i < n; ++i)
            redisAppendCommand(c, "XADD %s * msg %b", key, payload, sizeof payload);
        for (long long i = 0; i < n; ++i) {
            void* reply = NULL;
            if (redisGetReply(c, &reply) != REDIS_OK) die(c, "XADD");
            freeReplyObject(reply);
        }
        sent += n;
    }
}

static void backlog(redisContext* c, const char* key, long long count) {
    char last[64] = "0-0";
    unsigned long long touched = 0;
    for (long long seen = 0; seen < count;) {
        redisReply* r = command(c, redisCommand(c, "XREAD COUNT 1000 STREAMS %s %s", key, last));
        if (r->type != REDIS_REPLY_ARRAY || r->elements != 1) die(c, "backlog ended");
        const redisReply* entries = r->element[0]->element[1];
        if (entries->elements == 0) die(c, "backlog ended");
        for (size_t i = 0; i < entries->elements; ++i) {
            const redisReply* e = entries->element[i];
            touched += e->element[0]->len + e->element[1]->element[1]->len;
        }
        const redisReply* id = entries->element[entries->elements - 1]->element[0];
        snprintf(last, sizeof last, "%.*s", (int)id->len, id->str);
        seen += (long long)entries->elements;
        freeReplyObject(r);
    }
    if (touched == 0) die(c, "nothing read");
}

int main(int argc, char** argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s idle|backlog|fill PORT KEY [COUNT]\n", argv[0]);
        return 2;
    }
    redisContext* c = redisConnect("127.0.0.1", atoi(argv[2]));
    if (!c || c->err) fprintf(stderr, "rss_hiredis: connect failed\n"), exit(1);
    const char* key = argv[3];
    const long long count = argc > 4 ? atoll(argv[4]) : 1000000;
    if (strcmp(argv[1], "idle") == 0)
        freeReplyObject(command(c, redisCommand(c, "XREAD BLOCK 1000 STREAMS %s $", key)));
    else if (strcmp(argv[1], "wait") == 0 && argc > 4)
        freeReplyObject(command(c, redisCommand(c, "XREAD BLOCK %s STREAMS %s $", argv[4], key)));
    else if (strcmp(argv[1], "backlog") == 0)
        backlog(c, key, count);
    else if (strcmp(argv[1], "fill") == 0)
        fill(c, key, count);
    else
        return fprintf(stderr, "unknown mode %s\n", argv[1]), 2;
    redisFree(c);
    return 0;
}
