#!/usr/bin/env bash
# A real Slurm cluster on this one machine, from Debian's packages, for Nuri's Slurm tests and
# for trying `nuri compute` by hand. Everything lives in one directory; nothing under /etc.
#
#   scripts/slurm-cluster.sh start DIR    start the cluster in DIR (created if missing; must be empty)
#   scripts/slurm-cluster.sh env DIR      print `export …` lines for its clients (eval "$(… env DIR)")
#   scripts/slurm-cluster.sh status DIR   the daemons (name and PID) and the nodes as sinfo sees them
#   scripts/slurm-cluster.sh stop DIR     stop exactly the daemons `start` recorded, then remove DIR
#
# What runs (each in the foreground of its own session, its PID recorded in DIR/pids):
#   munged    on the default socket /run/munge/munge.socket.2 with a key generated in DIR (Slurm
#             22.05's clients ignore AuthInfo=socket= for the slurmdbd connection, so a private
#             socket is not enough); refused if another munged already serves that socket
#   mariadbd  a private MariaDB on a free loopback port, its data in DIR/mysql
#   slurmdbd  accounting (associations, QOS, limits, job records) in that MariaDB
#   slurmctld the controller: priority/multifactor, preempt/qos with REQUEUE, cons_tres
#   slurmd    NURI_SLURM_NODES (default 3) fake nodes `gpu1…` of 8 H100 each (`slurmd -N gpuK`),
#             the GPUs being character devices DIR/dev/nvidia0…7 made with mknod (Slurm drops
#             GPUs without a File=, and plain files do not get CUDA_VISIBLE_DEVICES)
#
# Needs root (mknod, the default munge socket) and the packages .ci/run installs:
#   slurm-wlm slurmctld slurmd slurm-client munge slurmdbd mariadb-server mariadb-client
# Starting takes about 10 s. See ../shared/SLURM-NOTES.md for what was found to work.
set -euo pipefail

usage() {
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

[[ $# -eq 2 ]] || usage
command=$1
dir=$2
cluster=nuri
nodes=${NURI_SLURM_NODES:-3}
munge_socket=/run/munge/munge.socket.2

say() { echo "slurm-cluster: $*" >&2; }
die() { say "$*"; exit 1; }

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Starts a daemon in its own session (so that the caller's job control does not stop it) and
# records its PID; the daemon's output goes to its log.
launch() {
    local name=$1
    shift
    setsid "$@" >>"$dir/log/$name.out" 2>&1 </dev/null &
    last_pid=$!
    echo "$name $last_pid" >>"$dir/pids"
}

# Waits up to $1 seconds for the command after it to succeed; on timeout, shows $2's log.
wait_for() {
    local seconds=$1 log=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        if ! kill -0 "$last_pid" 2>/dev/null; then
            say "the daemon (pid $last_pid) exited while waiting for: $*"
            [[ -f $log ]] && tail -n 30 "$log" >&2
            return 1
        fi
        if ((SECONDS >= deadline)); then
            say "timed out after ${seconds}s waiting for: $*"
            [[ -f $log ]] && tail -n 30 "$log" >&2
            return 1
        fi
        sleep 0.2
    done
}

# The PID is still a daemon we started (not a reused PID): its command line or its environment
# (slurmdbd finds its config through SLURM_CONF) names our directory.
ours() {
    local pid=$1
    { tr '\0' '\n' <"/proc/$pid/cmdline" | grep -qF -- "$dir"; } 2>/dev/null && return 0
    { tr '\0' '\n' <"/proc/$pid/environ" | grep -qxF -- "SLURM_CONF=$dir/etc/slurm.conf"; } 2>/dev/null
}

stop_daemons() {
    [[ -f $dir/pids ]] || return 0
    # Jobs first, so that no slurmstepd outlives its slurmd.
    if [[ -f $dir/etc/slurm.conf ]]; then
        SLURM_CONF=$dir/etc/slurm.conf timeout 10 scancel --quiet --user="$(id -un)" >/dev/null 2>&1 || true
    fi
    # Reverse order: nodes, controller, accounting, database, munge.
    local lines
    mapfile -t lines < <(tac "$dir/pids")
    local line pid
    for line in "${lines[@]}"; do
        pid=${line##* }
        ours "$pid" && kill -TERM "$pid" 2>/dev/null || true
    done
    local deadline=$((SECONDS + 15))
    for line in "${lines[@]}"; do
        pid=${line##* }
        while ours "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
        if ours "$pid"; then
            say "${line% *} (pid $pid) did not stop in 15 s; killing it"
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    rm -f "$dir/pids"
}

client_env() {
    echo "export SLURM_CONF=$dir/etc/slurm.conf"
    echo "export NURI_TEST_SLURM_CONF=$dir/etc/slurm.conf"
}

start() {
    [[ $(id -u) == 0 ]] || die "needs root (mknod for the fake GPUs, the default munge socket)"
    local tool
    for tool in munged mungekey mariadbd mariadb-install-db mariadb slurmdbd slurmctld slurmd sacctmgr scontrol sinfo; do
        command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] \
            || die "$tool is not installed; run: apt-get install --no-install-recommends slurm-wlm slurmctld slurmd slurm-client munge slurmdbd mariadb-server mariadb-client"
    done
    export PATH=$PATH:/usr/sbin
    if [[ -S $munge_socket ]] && munge -n -S "$munge_socket" >/dev/null 2>&1; then
        die "a munged already serves $munge_socket (another cluster?); stop it first"
    fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [[ -z $(ls -A "$dir") ]] || die "$dir is not empty; give a new directory"
    chmod 700 "$dir"
    mkdir -p "$dir"/{etc,log,run,state,spool,dev,mysql}
    trap 'say "start failed; stopping what started (logs in $dir/log)"; stop_daemons' ERR

    local host
    host=$(hostname -s)
    local db_port dbd_port ctld_port
    db_port=$(free_port)
    dbd_port=$(free_port)
    ctld_port=$(free_port)

    # Fake GPUs: character devices with NVIDIA's major number, one per GPU of a node.
    local i
    for i in $(seq 0 7); do mknod "$dir/dev/nvidia$i" c 195 "$i"; done

    # munge, with a fresh key.
    mkdir -p /run/munge
    chmod 755 /run/munge
    rm -f "$munge_socket" "$munge_socket.lock"
    mungekey --create --keyfile="$dir/etc/munge.key" >/dev/null 2>&1 \
        || dd if=/dev/urandom of="$dir/etc/munge.key" bs=1024 count=1 status=none
    chmod 400 "$dir/etc/munge.key"
    launch munged munged --foreground --force --socket="$munge_socket" --key-file="$dir/etc/munge.key" \
        --pid-file="$dir/run/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/run/munged.seed"
    wait_for 10 "$dir/log/munged.log" munge -n -S "$munge_socket"

    # A private MariaDB for slurmdbd, with a generated password (only in files of mode 600).
    local password
    password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
    mariadb-install-db --no-defaults --datadir="$dir/mysql" --user=root --auth-root-authentication-method=socket \
        --skip-test-db >"$dir/log/mariadb-install.log" 2>&1 \
        || { tail -n 20 "$dir/log/mariadb-install.log" >&2; false; }
    launch mariadbd mariadbd --no-defaults --datadir="$dir/mysql" --user=root --bind-address=127.0.0.1 --port="$db_port" \
        --socket="$dir/run/mysql.sock" --pid-file="$dir/run/mariadbd.pid" --log-error="$dir/log/mariadbd.log" \
        --skip-name-resolve --skip-log-bin --innodb-buffer-pool-size=128M --innodb-log-file-size=16M \
        --innodb-lock-wait-timeout=900 --innodb-flush-log-at-trx-commit=0
    wait_for 30 "$dir/log/mariadbd.log" mariadb --no-defaults --socket="$dir/run/mysql.sock" -u root -e 'SELECT 1'
    mariadb --no-defaults --socket="$dir/run/mysql.sock" -u root <<SQL
CREATE DATABASE slurm_acct_db;
CREATE USER 'slurm'@'127.0.0.1' IDENTIFIED BY '$password';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';
SQL

    (
        umask 077
        cat >"$dir/etc/slurmdbd.conf" <<EOF
AuthType=auth/munge
DbdHost=$host
DbdAddr=127.0.0.1
DbdPort=$dbd_port
SlurmUser=root
PidFile=$dir/run/slurmdbd.pid
LogFile=$dir/log/slurmdbd.log
DebugLevel=info
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$db_port
StorageUser=slurm
StoragePass=$password
StorageLoc=slurm_acct_db
EOF
    )

    local node_lines="" node_list="gpu[1-$nodes]"
    for i in $(seq 1 "$nodes"); do
        node_lines+="NodeName=gpu$i NodeHostname=$host NodeAddr=127.0.0.1 Port=$(free_port) CPUs=16 RealMemory=64000 Gres=gpu:h100:8 State=UNKNOWN"$'\n'
    done
    cat >"$dir/etc/slurm.conf" <<EOF
# Written by scripts/slurm-cluster.sh for a throwaway test cluster.
ClusterName=$cluster
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd-%n.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
GresTypes=gpu
ReturnToService=2
MpiDefault=none
InactiveLimit=0
KillWait=2
MinJobAge=600
SlurmdTimeout=300
# Accounting: associations, limits and QOS enforced; "safe" starts a job only if it can finish
# within its GPU-minute budget.
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=$dbd_port
AccountingStorageEnforce=associations,limits,qos,safe
AccountingStorageTRES=gres/gpu
# Priority: the QOS (a project's tier) weighs most, then fair share, then age.
PriorityType=priority/multifactor
PriorityWeightQOS=100000
PriorityWeightFairshare=10000
PriorityWeightAge=1000
PriorityDecayHalfLife=7-0
# national_team QOS may preempt lower tiers' jobs, which go back to the queue.
PreemptType=preempt/qos
PreemptMode=REQUEUE
JobRequeue=1
SchedulerType=sched/backfill
SchedulerParameters=bf_interval=2,sched_min_interval=100000
$node_lines
PartitionName=h100 Nodes=$node_list Default=YES MaxTime=INFINITE State=UP
EOF
    cat >"$dir/etc/gres.conf" <<EOF
AutoDetect=off
NodeName=$node_list Name=gpu Type=h100 File=$dir/dev/nvidia[0-7]
EOF
    export SLURM_CONF=$dir/etc/slurm.conf

    launch slurmdbd slurmdbd -D  # reads slurmdbd.conf next to $SLURM_CONF
    wait_for 60 "$dir/log/slurmdbd.log" sacctmgr -n list cluster
    sacctmgr -i add cluster "$cluster" >/dev/null

    launch slurmctld slurmctld -D -i -f "$dir/etc/slurm.conf"
    wait_for 30 "$dir/log/slurmctld.log" scontrol ping
    for i in $(seq 1 "$nodes"); do
        launch "slurmd-gpu$i" slurmd -D -N "gpu$i" -f "$dir/etc/slurm.conf"
    done
    # Every node idle (not unknown, down or invalid).
    wait_for 60 "$dir/log/slurmctld.log" bash -c "[[ \$(sinfo -h -N -o %T | grep -c '^idle\$') == $nodes ]]"
    trap - ERR
    say "cluster '$cluster' up in $dir: $nodes nodes of 8 H100 ($((nodes * 8)) GPUs); controller on 127.0.0.1:$ctld_port"
}

case $command in
    start) start ;;
    env)
        dir=$(cd "$dir" && pwd)
        [[ -f $dir/etc/slurm.conf ]] || die "no cluster in $dir"
        client_env
        ;;
    status)
        dir=$(cd "$dir" && pwd)
        [[ -f $dir/pids ]] || die "no cluster running in $dir"
        while read -r name pid; do
            if ours "$pid"; then echo "$name $pid running"; else echo "$name $pid gone"; fi
        done <"$dir/pids"
        SLURM_CONF=$dir/etc/slurm.conf sinfo -N -o '%N %T %G' || true
        ;;
    stop)
        [[ -d $dir ]] || exit 0
        dir=$(cd "$dir" && pwd)
        stop_daemons
        # The default munge socket was ours; leave no stale socket behind.
        rm -f "$munge_socket" "$munge_socket.lock"
        rm -rf "$dir"
        ;;
    *) usage ;;
esac
