#!/usr/bin/env bash
# slurm_sandbox.sh — run a command inside a throwaway single-node SLURM (Debian's slurmctld + slurmd,
# no systemd, no munge, no cgroups), in private PID and network namespaces, then tear it all down.
#
#   sudo scripts/slurm_sandbox.sh bash -c 'lmt_run --slurm my.run && lmt_run status my.run'
#
# Needs root, slurmctld/slurmd/slurm-client (apt-get install --no-install-recommends slurmctld slurmd
# slurm-client), unshare and ip. Only loopback traffic; nothing outside a temporary directory is touched.
# The command runs with SLURM_CONF set; partitions "debug" (default) and "batch" exist; the node has
# SLURM_SANDBOX_CPUS CPUs (default 2) and SLURM_SANDBOX_MEM MB (default 16000). Exit status = the command's.
# SLURM_SANDBOX_KEEP=DIR copies the daemon logs to DIR at the end.
set -u
if [ "${SLURM_SANDBOX_INNER:-}" != 1 ]; then
  [ "$(id -u)" = 0 ] || { echo "slurm_sandbox: must run as root" >&2; exit 2; }
  for c in slurmctld slurmd sinfo sbatch unshare ip; do
    command -v "$c" >/dev/null 2>&1 || { echo "slurm_sandbox: $c not found" >&2; exit 2; }
  done
  export SLURM_SANDBOX_INNER=1
  exec unshare --pid --fork --kill-child --mount-proc --net "$0" "$@"
fi

ip link set lo up
ip addr add 127.0.0.2/8 dev lo 2>/dev/null
D=$(mktemp -d /tmp/slurm_sandbox.XXXXXX)
chmod 755 "$D"
mkdir -p "$D/state" "$D/spool/localhost" "$D/log"
CPUS=${SLURM_SANDBOX_CPUS:-2}
MEM=${SLURM_SANDBOX_MEM:-16000}
cat > "$D/slurm.conf" <<CONF
ClusterName=sandbox
SlurmctldHost=localhost
SlurmctldPort=6817
SlurmdPort=6818
SlurmUser=root
SlurmdUser=root
AuthType=auth/none
CredType=cred/none
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool/%n
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$D/log/jobcomp.txt
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
DependencyParameters=kill_invalid_depend
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=600
MailProg=/bin/true
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
PartitionName=batch Nodes=localhost Default=NO MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$D/slurm.conf
slurmctld -D -i -f "$SLURM_CONF" > "$D/log/slurmctld.out" 2>&1 &
CTLD=$!
slurmd -D -N localhost -f "$SLURM_CONF" > "$D/log/slurmd.out" 2>&1 &
SLURMD=$!

teardown() {
  local ids
  ids=$(timeout 5 squeue -h -o %A 2>/dev/null | sort -u)
  [ -n "$ids" ] && timeout 5 scancel $ids 2>/dev/null
  local t_end=$((SECONDS + 15))
  while [ -n "$(timeout 5 squeue -h 2>/dev/null)" ] && [ $SECONDS -lt $t_end ]; do sleep 0.2; done
  kill -TERM "$SLURMD" 2>/dev/null; wait "$SLURMD" 2>/dev/null
  kill -TERM "$CTLD" 2>/dev/null; wait "$CTLD" 2>/dev/null
  [ -n "${SLURM_SANDBOX_KEEP:-}" ] && mkdir -p "$SLURM_SANDBOX_KEEP" && cp -r "$D/log/." "$SLURM_SANDBOX_KEEP/" 2>/dev/null
  rm -rf "$D"
}
trap teardown EXIT

deadline=$((SECONDS + 60))
until [ "$(timeout 5 sinfo -h -N -o %t 2>/dev/null | sort -u)" = idle ]; do
  if [ $SECONDS -ge $deadline ]; then
    echo "slurm_sandbox: the node did not become idle within 60 s" >&2
    tail -n 20 "$D/log/slurmctld.log" "$D/log/slurmd.log" >&2 2>/dev/null
    exit 1
  fi
  sleep 0.1
done
"$@"
