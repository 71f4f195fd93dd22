/* What the firmware guide's C blocks assume the firmware already has: a socket, a monotonic
 * clock, the board drivers' queues. Declarations only (the blocks are compiled, not linked). */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include "sv2.h"

uint64_t now_ms(void);
void write_all(int fd, const uint8_t *buf, size_t n);
void wait_for(int fd, int board_queue_eventfd, uint64_t deadline_ms);
void submit_found_nonces(sv2_miner *m);
void handle(const sv2_miner_event *ev);
void flush_board_queues(void);
void queue_to_boards(sv2_work *w);
void count_refused_locally(sv2_result rc);
void count_submitted(uint32_t sequence_number);
void load_board(unsigned board_index, sv2_work *w);
int connect_to(const char *host, uint16_t port);
void close_socket(int fd);
void report_error(const char *what, sv2_result rc);
void sleep_ms(uint64_t ms);
void wake_network_thread(int eventfd);
void drain_eventfd(int eventfd);

/* A nonce a board found, queued from its driver thread to the network thread. */
struct found_nonce {
    sv2_miner *miner; /* the handle whose work it is (several during a failover) */
    uint32_t channel_id, job_id, nonce, ntime, version;
};
bool found_queue_push(const struct found_nonce *f);
bool found_queue_pop(struct found_nonce *f);

extern const char *pool_url, *backup_pool_url, *hw_version, *fw_version, *serial_number,
    *worker_name, *primary_host, *backup_host;
extern uint16_t primary_port, backup_port;
extern float nominal_hashes_per_s;
extern int fd, board_queue_eventfd;
extern unsigned board_count;
