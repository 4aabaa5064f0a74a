#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for testing the sbatch scripts
# beside it (see docs/cluster.md).
#
#   deploy/slurm/local-cluster.sh start    # munged, slurmctld and slurmd
#   deploy/slurm/local-cluster.sh status   # which daemons run, and sinfo
#   deploy/slurm/local-cluster.sh stop     # stops only the daemons it started
#
# Everything (configuration, keys, sockets, state, logs and the daemons' PIDs)
# lives under one folder, $COMMSIM_SLURM_DIR (default /tmp/commsim-slurm).
# After `start`, point Slurm's commands at it with
#
#   export SLURM_CONF=$COMMSIM_SLURM_DIR/etc/slurm.conf
#
# (`source $COMMSIM_SLURM_DIR/env` does that). It needs root (slurmd starts
# jobs as their user) and Debian's packages:
#
#   apt-get install -y --no-install-recommends slurm-wlm munge
#
# There is no systemd in containers and CI, so the daemons are started by
# hand, in the foreground, each in its own session (setsid), and stopped by
# the PIDs recorded at start. Nothing else on the machine is touched.
set -euo pipefail

dir=${COMMSIM_SLURM_DIR:-/tmp/commsim-slurm}
# Absolute, because the daemons' configuration and PID checks use it.
[[ $dir == /* ]] || dir=$PWD/$dir
ctld_port=${COMMSIM_SLURM_CTLD_PORT:-6817}
slurmd_port=${COMMSIM_SLURM_SLURMD_PORT:-6818}
pids="$dir/run/daemons.pids"

say() { echo "local-cluster: $*" >&2; }
die() { say "$*"; exit 1; }

# State of a process from /proc: R, S, D, ... or Z for a zombie; empty when
# there is no such process. `kill -0` is not enough: PID 1 in a container may
# never reap our daemons, and a zombie still answers `kill -0`.
proc_state() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  # The state is the first field after the parenthesised command name.
  stat=${stat##*) }
  echo "${stat%% *}"
}

alive() {
  local s
  s=$(proc_state "$1")
  [[ -n $s && $s != Z && $s != X ]]
}

# Whether PID $1 is still the daemon $2 we started (PIDs are reused).
is_ours() {
  local cmd
  cmd=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
  [[ $cmd == *"$2"* && $cmd == *"$dir"* ]]
}

wait_for() { # seconds, description, command...
  local limit=$1 what=$2
  shift 2
  local i
  for ((i = 0; i < limit * 10; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  die "$what did not come up within $limit s; see the logs in $dir/log"
}

start_daemon() { # name, log, command...
  local name=$1 log=$2
  shift 2
  # setsid: its own session, so the daemon outlives this script and a
  # terminal's hangup; stdin closed, output to its log.
  setsid "$@" </dev/null >>"$log" 2>&1 &
  echo "$name $!" >>"$pids"
}

cmd_status() {
  local any=0 name pid
  if [[ -f $pids ]]; then
    while read -r name pid; do
      any=1
      local s
      s=$(proc_state "$pid")
      case $s in
        "") echo "$name (pid $pid): gone" ;;
        Z | X) echo "$name (pid $pid): exited (zombie, not reaped)" ;;
        *) echo "$name (pid $pid): running" ;;
      esac
    done <"$pids"
  fi
  if ((any == 0)); then
    echo "no daemons started from $dir"
    return 1
  fi
  if [[ -f $dir/etc/slurm.conf ]]; then
    SLURM_CONF=$dir/etc/slurm.conf sinfo 2>&1 || true
  fi
}

cmd_stop() {
  [[ -f $pids ]] || { say "nothing to stop (no $pids)"; return 0; }
  local name pid
  local -a ours=()
  # Reverse order: slurmd, slurmctld, then munged, which they need.
  while read -r name pid; do ours=("$name:$pid" "${ours[@]}"); done <"$pids"
  for entry in "${ours[@]}"; do
    name=${entry%%:*}
    pid=${entry#*:}
    if alive "$pid" && is_ours "$pid" "$name"; then
      kill -TERM "$pid" 2>/dev/null || true
      local i
      for ((i = 0; i < 100; i++)); do
        alive "$pid" || break
        sleep 0.1
      done
      if alive "$pid"; then
        say "$name (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
      fi
      say "stopped $name (pid $pid)"
    fi
  done
  rm -f "$pids"
}

cmd_start() {
  [[ $(id -u) == 0 ]] || die "needs root: slurmd must be able to start jobs as their user"
  local tool
  for tool in munged mungekey munge unmunge slurmctld slurmd sinfo sbatch; do
    command -v "$tool" >/dev/null ||
      die "$tool is missing; install Slurm with: apt-get install -y --no-install-recommends slurm-wlm munge"
  done
  if [[ -f $pids ]]; then
    local name pid running=0
    while read -r name pid; do
      if alive "$pid" && is_ours "$pid" "$name"; then running=1; fi
    done <"$pids"
    ((running == 0)) || die "already running from $dir; run '$0 stop' first"
  fi

  # A fresh state each time: no jobs or node states left from an earlier run.
  rm -rf "${dir:?}/etc" "$dir/state" "$dir/run" "$dir/munge" "$dir/munge-key" "$dir/log"
  mkdir -p "$dir/etc" "$dir/state/ctld" "$dir/state/slurmd" "$dir/run" "$dir/log" \
    "$dir/munge" "$dir/munge-key"
  # munged refuses a socket folder that others cannot enter (clients must
  # reach the socket) and a key folder that others can read.
  chmod 755 "$dir" "$dir/munge"
  chmod 700 "$dir/munge-key" "$dir/run"
  : >"$pids"
  # If anything below fails, stop the daemons already started.
  trap 'say "start failed; stopping what was started"; cmd_stop' EXIT

  local socket=$dir/munge/munge.socket.2
  mungekey --create --keyfile="$dir/munge-key/munge.key" >/dev/null
  chmod 400 "$dir/munge-key/munge.key"
  start_daemon munged "$dir/log/munged.out" munged --foreground \
    --socket="$socket" --key-file="$dir/munge-key/munge.key" \
    --pid-file="$dir/run/munged.pid" --log-file="$dir/log/munged.log" \
    --seed-file="$dir/run/munged.seed"
  munge_works() { munge -n -S "$socket" | unmunge -S "$socket"; }
  wait_for 10 munged munge_works

  local node cpus
  node=$(hostname -s)
  # slurmd -C prints what slurmd will detect; a configuration that promises
  # more CPUs or memory than that makes slurmctld drain the node. Memory is
  # left out on purpose: it changes slightly between runs.
  cpus=$(slurmd -C | head -n 1 | tr ' ' '\n' | grep -E '^(CPUs|Boards|SocketsPerBoard|CoresPerSocket|ThreadsPerCore)=' | tr '\n' ' ')
  cat >"$dir/etc/slurm.conf" <<CONF
# Written by deploy/slurm/local-cluster.sh: a single-node cluster for tests.
ClusterName=commsim-local
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$dir/state/ctld
SlurmdSpoolDir=$dir/state/slurmd
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
# No cgroups in containers: track processes through /proc, bind nothing.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# Without these, every wave of array tasks waits about 3 s to be scheduled.
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MailProg=/bin/true
ReturnToService=2
# Keep finished jobs known for 5 minutes, so that --dependency=afterok finds
# them (there is no accounting database to ask).
MinJobAge=300
NodeName=$node NodeAddr=127.0.0.1 $cpus State=UNKNOWN
PartitionName=local Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
  cat >"$dir/env" <<ENV
export SLURM_CONF=$dir/etc/slurm.conf
export COMMSIM_SLURM_DIR=$dir
ENV
  export SLURM_CONF=$dir/etc/slurm.conf
  start_daemon slurmctld "$dir/log/slurmctld.out" slurmctld -D -f "$SLURM_CONF"
  wait_for 15 slurmctld scontrol ping
  start_daemon slurmd "$dir/log/slurmd.out" slurmd -D -N "$node" -f "$SLURM_CONF"
  node_idle() { sinfo -h -n "$node" -o %T | grep -qx idle; }
  wait_for 20 "node $node" node_idle
  trap - EXIT
  say "up: node $node idle; run 'source $dir/env' to use it"
}

case ${1:-} in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 start|stop|status   (state in \$COMMSIM_SLURM_DIR, default /tmp/commsim-slurm)" >&2
    exit 2
    ;;
esac
