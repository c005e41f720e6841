#!/usr/bin/env bash
# Search latency over N indexed messages (default 1,000,000) in MariaDB's InnoDB FULLTEXT index, with the table
# and the queries of org.hearth.core.search.SearchIndex, through the mysql client (its ~5 ms per call included).
# Uses a scratch database on 127.0.0.1:3306 (root, no password), dropped at the end.
set -euo pipefail
N=${1:-1000000}
DB=hearth_searchbench_$$
MYSQL=(mysql -h127.0.0.1 -uroot)
trap '"${MYSQL[@]}" -e "DROP DATABASE IF EXISTS $DB"' EXIT
"${MYSQL[@]}" <<SQL
CREATE DATABASE $DB CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
USE $DB;
SET SESSION innodb_ft_enable_stopword = OFF;
$(sed -n '/^CREATE TABLE event_search/,/^) ENGINE/p' "$(dirname "$0")/../homeserver/core/src/main/resources/db/migration/V9__relations_search.sql");
$(grep '^ALTER TABLE event_search' "$(dirname "$0")/../homeserver/core/src/main/resources/db/migration/V21__push_queue_remote_media.sql")
SQL
COMMON="'hello', 'meeting', 'lunch', 'tomorrow', 'deploy', 'review', 'coffee', 'thanks', 'release', 'ticket', 'budget', 'weekend', 'server', 'update', 'question', 'the', 'please', 'call', 'team', 'doc'"
start=$(date +%s)
# In batches of 100,000 rows, the FULLTEXT index maintained as rows arrive. Messages in 1,000 rooms from 5,000
# senders, six words each: two of 20 common words (each in ~10% of messages), two of 5,000 (~0.04%), one of
# 100,000 (~0.001%) and one two-letter word (too short for the index).
for ((lo = 1; lo <= N; lo += 100000)); do
  hi=$((lo + 99999 < N ? lo + 99999 : N))
  "${MYSQL[@]}" "$DB" -e "INSERT INTO event_search SELECT CONCAT('\$ev', seq), 'content.body',
    CONCAT('!room', seq % 1000, ':bench'), CONCAT('@user', seq % 5000, ':bench'), 'm.room.message', FALSE, seq,
    CONCAT_WS(' ', ELT(1 + FLOOR(RAND() * 20), $COMMON), CONCAT('mid', FLOOR(RAND() * 5000)),
      CONCAT('rare', FLOOR(RAND() * 100000)), ELT(1 + FLOOR(RAND() * 10), 'is', 'on', 'at', 'ok', 'we', 'to', 'it', 'be', 'go', 'no'),
      CONCAT('mid', FLOOR(RAND() * 5000)), ELT(1 + FLOOR(RAND() * 20), $COMMON)),
    CONCAT('zqroom', LEFT(SHA2(CONCAT('!room', seq % 1000, ':bench'), 256), 24))
    FROM seq_1_to_$N WHERE seq BETWEEN $lo AND $hi"
done
echo "indexed $N messages in $(( $(date +%s) - start )) s; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
R20=$(python3 -c "print(', '.join(\"'!room%d:bench'\" % i for i in range(0, 1000, 50)))")
# The rooms' tokens (SearchIndex.roomToken), required in the FULLTEXT query as SearchIndex.withRooms does.
T20=$(python3 -c "
import hashlib
print(' '.join('zqroom' + hashlib.sha256(('!room%d:bench' % i).encode()).hexdigest()[:24] for i in range(0, 1000, 50)))")
run() {
  local times=()
  for i in 1 2 3 4 5 6; do
    s=$(date +%s%N); "${MYSQL[@]}" "$DB" -N -e "$2" > /dev/null; e=$(date +%s%N)
    times+=($(( (e - s) / 1000000 )))
  done
  # The first run warms the caches; the median of the other five.
  echo "| $1 | $(printf "%s\n" "${times[@]:1}" | sort -n | sed -n 3p) |"
}
SEL="SELECT event_id, room_id, stream_ordering"
echo "| query (user in 20 rooms of 1,000 unless said) | median ms |"
echo "|---|---|"
run "SELECT 1 (client overhead)" "SELECT 1"
M="MATCH(value, room_token) AGAINST"
run "rare word, rank" "$SEL, $M ('+rare12345*' IN BOOLEAN MODE) AS score, COUNT(*) OVER () AS total FROM event_search WHERE room_id IN ($R20) AND $M ('+rare12345* +($T20)' IN BOOLEAN MODE) ORDER BY score DESC, stream_ordering DESC LIMIT 20"
run "mid-frequency word (~400 hits), rank, all rooms" "$SEL, $M ('+mid4242*' IN BOOLEAN MODE) AS score, COUNT(*) OVER () AS total FROM event_search WHERE $M ('+mid4242*' IN BOOLEAN MODE) ORDER BY score DESC, stream_ordering DESC LIMIT 20"
run "common + mid word, rank" "$SEL, $M ('+meeting* +mid42*' IN BOOLEAN MODE) AS score, COUNT(*) OVER () AS total FROM event_search WHERE room_id IN ($R20) AND $M ('+meeting* +mid42* +($T20)' IN BOOLEAN MODE) ORDER BY score DESC, stream_ordering DESC LIMIT 20"
run "common word (~10% of messages), rank" "$SEL, $M ('+meeting*' IN BOOLEAN MODE) AS score, COUNT(*) OVER () AS total FROM event_search WHERE room_id IN ($R20) AND $M ('+meeting* +($T20)' IN BOOLEAN MODE) ORDER BY score DESC, stream_ordering DESC LIMIT 20"
run "common word, recent" "$SEL, $M ('+meeting*' IN BOOLEAN MODE) AS score, COUNT(*) OVER () AS total FROM event_search WHERE room_id IN ($R20) AND $M ('+meeting* +($T20)' IN BOOLEAN MODE) AND stream_ordering < 9223372036854775807 ORDER BY stream_ordering DESC LIMIT 20"
run "common word, rank, without the room tokens (as before V21)" "$SEL, $M ('+meeting*' IN BOOLEAN MODE) AS score, COUNT(*) OVER () AS total FROM event_search WHERE room_id IN ($R20) AND $M ('+meeting*' IN BOOLEAN MODE) ORDER BY score DESC, stream_ordering DESC LIMIT 20"
run "two-letter word only (LIKE scan of the rooms' rows)" "$SEL, 1 AS score, COUNT(*) OVER () AS total FROM event_search WHERE room_id IN ($R20) AND value LIKE '%ok%' ORDER BY score DESC, stream_ordering DESC LIMIT 20"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
