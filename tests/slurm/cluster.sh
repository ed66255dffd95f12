#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for the Slurm workflow test (run as root).
#
#   tests/slurm/cluster.sh install   Debian's slurmctld, slurmd, slurm-client and munge
#   tests/slurm/cluster.sh start     write /etc/slurm/{slurm,gres}.conf, start munged, slurmctld, slurmd
#   tests/slurm/cluster.sh stop      stop the three daemons
#   tests/slurm/cluster.sh status    exit 0 when the node accepts jobs
#
# The node is declared as a typical GPU node (16 CPUs, 128 GB, one GPU) whatever this machine
# has, with SlurmdParameters=config_overrides, so that the real profile's requests are accepted;
# the GPU is a generic resource backed by /dev/null. No accounting: squeue answers status
# queries (MinJobAge keeps finished jobs visible). One slurm.conf for daemons and clients.
set -euo pipefail

CONF=/etc/slurm
STATE=/var/lib/smdown-slurm
HOST=$(hostname -s)

die() { echo "slurm cluster: $*" >&2; exit 1; }

install_packages() {
    [ "$(id -u)" = 0 ] || die "installing needs root"
    if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
    fi
}

write_config() {
    mkdir -p "$CONF" "$STATE/ctld" "$STATE/d" /var/log/slurm
    cat > "$CONF/slurm.conf" <<CONF
# Written by tests/slurm/cluster.sh: a single-node test cluster.
ClusterName=smdown-test
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
GresTypes=gpu
ReturnToService=2
MinJobAge=3600
SlurmdParameters=config_overrides
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=16 RealMemory=128000 Gres=gpu:1 State=UNKNOWN
PartitionName=cpu Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
PartitionName=gpu Nodes=$HOST MaxTime=INFINITE State=UP
CONF
    cat > "$CONF/gres.conf" <<CONF
AutoDetect=off
NodeName=$HOST Name=gpu File=/dev/null
CONF
}

start_munge() {
    if pgrep -x munged >/dev/null; then return; fi
    [ -s /etc/munge/munge.key ] || { mungekey --create --force 2>/dev/null \
        || dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; }
    chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge
    runuser -u munge -- munged
}

wait_for_node() {
    for _ in $(seq 60); do
        if sinfo -h -N -o "%T" 2>/dev/null | grep -qE "^(idle|mixed|allocated)"; then return 0; fi
        sleep 1
    done
    die "the node did not become idle in 60 s; see /var/log/slurm/slurmctld.log and slurmd.log"
}

start() {
    [ "$(id -u)" = 0 ] || die "starting daemons needs root"
    command -v slurmctld >/dev/null || die "slurmctld is not installed (run: $0 install)"
    stop_daemons
    write_config
    start_munge
    slurmctld -i
    slurmd
    wait_for_node
    scontrol update NodeName="$HOST" State=RESUME >/dev/null 2>&1 || true
    echo "slurm cluster: node $HOST up (partitions cpu, gpu; gres gpu:1)"
}

stop_daemons() {
    pkill -x slurmd 2>/dev/null || true
    pkill -x slurmctld 2>/dev/null || true
    for _ in $(seq 20); do pgrep -x slurmd >/dev/null || pgrep -x slurmctld >/dev/null || break; sleep 0.5; done
}

case "${1:-}" in
    install) install_packages ;;
    start) start ;;
    stop) stop_daemons; echo "slurm cluster: stopped" ;;
    status) sinfo -h -N -o "%N %T" | grep -qE " (idle|mixed|allocated)" ;;
    *) die "usage: $0 install|start|stop|status" ;;
esac
