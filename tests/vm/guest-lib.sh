# Sourced by the VM tier's scenarios (tests/vm/scenarios/*.sh), inside the guest. Output conventions that
# tests/NfsWatch.Tests/Vm/VmScenario.cs parses:
#   === BEGIN NAME        a section: every line up to the matching "=== END NAME" is its text, verbatim
#   === END NAME
#   === FACT KEY=VALUE    a single value (pid and tid of a thread, the kernel release, ...)
# Every other line is commentary for people reading the console log.

NFSWATCH=/opt/nfswatch/nfswatch
BB=/opt/nfswatch/busybox
METRICS_URL=http://127.0.0.1:9856/metrics
export PATH=/opt/nfswatch:$PATH

say() { echo "--- $(cut -d' ' -f1 /proc/uptime)s: $*"; }
fact() { echo "=== FACT $1=$2"; }
fail() { echo "=== FAIL $*"; exit 1; }

# section NAME COMMAND...: runs COMMAND with its output (stdout and stderr) as section NAME; returns its status.
section() {
  local name=$1 status; shift
  echo "=== BEGIN $name"
  "$@" 2>&1
  status=$?
  echo "=== END $name"
  return $status
}

# Copies a file byte for byte into section NAME (a final newline is added only when the file lacks one).
section_file() {
  local name=$1 file=$2 text
  echo "=== BEGIN $name"
  cat "$file" 2>&1
  text=$(tail -c 1 "$file" 2>/dev/null | od -An -c | tr -d ' ')
  [ -z "$text" ] || [ "$text" = '\n' ] || echo
  echo "=== END $name"
}

# find_thread COMM NR [STATE]: prints "PID TID" of the first thread whose name matches the glob COMM, whose
# /proc syscall line starts with NR (165: mount on x86_64; * for any) and whose state is STATE (default D; * for
# any); nothing when there is none.
# Shell builtins only: a fork per thread costs too much under TCG.
find_thread() {
  local comm=$1 nr=$2 want=${3:-D} t c s rest line pid
  for t in /proc/[0-9]*/task/[0-9]*; do
    read -r c 2>/dev/null <"$t/comm" || continue
    [[ "$c" == $comm ]] || continue
    read -r line 2>/dev/null <"$t/stat" || continue
    rest=${line##*) }
    [ "$want" = "*" ] || [ "${rest%% *}" = "$want" ] || continue
    if [ "$nr" != "*" ]; then
      read -r s rest 2>/dev/null <"$t/syscall" || continue
      [ "$s" = "$nr" ] || continue
    fi
    pid=${t#/proc/}; pid=${pid%%/*}
    echo "$pid ${t##*/}"
    return 0
  done
  return 1
}

# wait_top_frame PID TID FUNCTION SECONDS: waits until the innermost frame of the thread's kernel stack is
# FUNCTION. Not wchan: on 5.10 /proc/PID/wchan reads 0 for every sleeping task (get_wchan before 5.16 cannot
# unwind with ORC).
wait_top_frame() {
  local line deadline=$(( $(cut -d. -f1 /proc/uptime) + $4 ))
  while [ "$(cut -d. -f1 /proc/uptime)" -lt "$deadline" ]; do
    line=
    read -r line 2>/dev/null <"/proc/$1/task/$2/stack"
    [[ "$line" == *"] $3+"* ]] && return 0
    sleep 0.2
  done
  return 1
}

# mount_threads: how many threads are inside mount(2) now.
mount_threads() {
  local t s rest n=0
  for t in /proc/[0-9]*/task/[0-9]*; do
    read -r s rest 2>/dev/null <"$t/syscall" && [ "$s" = 165 ] && n=$((n + 1))
  done
  echo "$n"
}

# wait_thread COMM NR SECONDS: waits until find_thread finds it; prints "PID TID".
wait_thread() {
  local comm=$1 nr=$2 deadline=$(( $(cut -d. -f1 /proc/uptime) + $3 )) found
  while [ "$(cut -d. -f1 /proc/uptime)" -lt "$deadline" ]; do
    found=$(find_thread "$comm" "$nr") && { echo "$found"; return 0; }
    sleep 0.2
  done
  return 1
}

# thread_report ROLE PID TID: the facts and raw proc files of one stuck thread, as sections "ROLE stack", ...
thread_report() {
  local role=$1 pid=$2 tid=$3 t=/proc/$2/task/$3
  fact "$role.pid" "$pid"
  fact "$role.tid" "$tid"
  fact "$role.comm" "$(cat "$t/comm")"
  fact "$role.state" "$(sed -n 's/^State:\t\(.\).*/\1/p' "$t/status")"
  fact "$role.wchan" "$(cat "$t/wchan")"
  # On 5.10.223 a read of stack came back empty once (both threads of one scenario at the same moment; none of
  # 960 reads in a later run did): a few more tries, and the count of empty reads as a fact.
  local empty=0
  while [ -z "$(cat "$t/stack" 2>/dev/null)" ] && [ $empty -lt 10 ] && [ -e "$t/stack" ]; do empty=$((empty + 1)); sleep 0.2; done
  fact "$role.stack_empty_reads" "$empty"
  section_file "$role stack" "$t/stack"
  section_file "$role wchan" "$t/wchan"
  section_file "$role syscall" "$t/syscall"
  section_file "$role stat" "$t/stat"
}

# scan NAME [ARGS...]: one `nfswatch scan` as section NAME, with its exit code as fact NAME.exit.
scan() {
  local name=$1 status; shift
  section "$name" "$NFSWATCH" scan "$@"
  status=$?
  fact "$name.exit" "$status"
}

# metrics NAME: one scrape of the daemon's /metrics as section NAME.
metrics() { section "$1" timeout 10 "$BB" wget -q -O - "$METRICS_URL"; }

# start_daemon [ARGS...]: `nfswatch run` in the background on 127.0.0.1:9856; waits for its first scan.
start_daemon() {
  "$NFSWATCH" run --listen 127.0.0.1:9856 --threshold 2s --interval 500ms "$@" >/tmp/nfswatch-run.log 2>&1 &
  DAEMON_PID=$!
  local i
  for i in $(seq 1 100); do
    timeout 5 "$BB" wget -q -O - "$METRICS_URL" 2>/dev/null | grep -q '^nfswatch_last_scan_timestamp_seconds ' && { say "nfswatch run is serving (pid $DAEMON_PID)"; return 0; }
    sleep 0.2
  done
  section_file "daemon log" /tmp/nfswatch-run.log
  fail "nfswatch run did not serve /metrics within 20 s"
}

stop_daemon() {
  [ -n "${DAEMON_PID:-}" ] || return 0
  kill -TERM "$DAEMON_PID" 2>/dev/null
  timeout 10 tail --pid="$DAEMON_PID" -f /dev/null || { say "nfswatch run ignored SIGTERM for 10 s"; kill -KILL "$DAEMON_PID"; }
  wait "$DAEMON_PID" 2>/dev/null
  fact daemon.exit $?
  section_file "daemon log" /tmp/nfswatch-run.log
  DAEMON_PID=
}

# wait_metric REGEX SECONDS: waits until a scrape has a line matching REGEX.
wait_metric() {
  local regex=$1 deadline=$(( $(cut -d. -f1 /proc/uptime) + $2 ))
  while [ "$(cut -d. -f1 /proc/uptime)" -lt "$deadline" ]; do
    timeout 5 "$BB" wget -q -O - "$METRICS_URL" 2>/dev/null | grep -qE "$regex" && return 0
    sleep 0.25
  done
  return 1
}

# start_knfsd [NFSD_ARGS...]: the kernel NFS server on 127.0.0.1 only, exporting
# /srv/export (which holds "file"). Default arguments: NFSv4 only, 4 threads. Grace and lease times are the
# shortest the kernel allows, so a restarted server serves again soon.
start_knfsd() {
  local args=("$@")
  [ ${#args[@]} -gt 0 ] || args=(-N 3 4)
  modprobe nfsd || fail "modprobe nfsd"
  mkdir -p /proc/fs/nfsd /run/rpc_pipefs /srv/export
  mountpoint -q /proc/fs/nfsd || mount -t nfsd nfsd /proc/fs/nfsd
  mountpoint -q /run/rpc_pipefs || mount -t rpc_pipefs rpc_pipefs /run/rpc_pipefs
  echo 10 >/proc/fs/nfsd/nfsv4leasetime
  echo 10 >/proc/fs/nfsd/nfsv4gracetime
  echo hello >/srv/export/file
  echo "/srv/export 127.0.0.1(rw,sync,no_subtree_check,no_root_squash,insecure)" >/etc/exports
  mkdir -p /run/rpcbind
  rpcbind -w || fail "rpcbind"
  exportfs -ra || fail "exportfs"
  # mountd on a fixed port, so that a scenario can name it in mountport=.
  if [[ " ${args[*]} " == *" -N 3 "* ]]; then rpc.mountd -p 20048 -N 3 || fail "rpc.mountd"; else rpc.mountd -p 20048 || fail "rpc.mountd"; fi
  rpc.nfsd -H 127.0.0.1 "${args[@]}" || fail "rpc.nfsd"
  KNFSD_ARGS=("${args[@]}")
  say "knfsd serving on 127.0.0.1 ($(cat /proc/fs/nfsd/versions)), export /srv/export"
}

# kernel_log NAME: the kernel log since the scenario started, as section NAME.
kernel_log() { section "$1" bash -c 'dmesg --color=never | sed -n "/nfswatch-vm: scenario starts/,\$p"'; }

# wait_exit PID SECONDS: waits (polling every 50 ms) until process PID, a child of this shell, has ended.
wait_exit() {
  local deadline=$(( $(cut -d. -f1 /proc/uptime) + $2 ))
  while kill -0 "$1" 2>/dev/null; do
    [ -e "/proc/$1/stat" ] && [ "$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)" = Z ] && return 0
    [ "$(cut -d. -f1 /proc/uptime)" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}

# dmesg_wait REGEX SECONDS: waits until the kernel log has a line matching REGEX.
dmesg_wait() {
  local regex=$1 deadline=$(( $(cut -d. -f1 /proc/uptime) + $2 ))
  while [ "$(cut -d. -f1 /proc/uptime)" -lt "$deadline" ]; do
    dmesg | grep -qE "$regex" && return 0
    sleep 0.5
  done
  return 1
}

echo "nfswatch-vm: scenario starts" >/dev/kmsg
fact kernel.release "$(uname -r)"
# Every nfswatch of the scenario finds threads this way (tests/vm/run writes it: procfs, bpf or auto).
export NFSWATCH_PROBE=$(cat /opt/nfswatch/probe 2>/dev/null || echo procfs)
fact probe "$NFSWATCH_PROBE"
fact btf "$([ -e /sys/kernel/btf/vmlinux ] && echo yes || echo no)"
fact kernel.version "$(uname -v)"
