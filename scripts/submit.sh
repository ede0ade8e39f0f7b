#!/usr/bin/env bash
# Submits a sparkcnn job: train (the default), evaluate, predict, retrain, registry or bench (scripts/bench.sh).
# The jobs run through io.sparkcnn.jobs.Sparkcnn with the job's name as its first argument; bench runs the
# benchmark module's jar (bench/target) with the shaded jar beside it.
#
#   scripts/submit.sh [train|evaluate|predict|retrain|registry] [spark-submit options] -- [job options]
#   scripts/submit.sh [train|evaluate|predict|retrain|registry] [job options]      (no spark-submit options)
#
# Uses $SPARK_HOME/bin/spark-submit when SPARK_HOME is set; otherwise Spark's own launcher class
# (org.apache.spark.deploy.SparkSubmit) on the launcher classpath the build writes (Spark and the Hadoop
# client from Maven as a Spark distribution has them, never a jar of ours: spark-runtime/), so a machine with only JDK 17 can run it. Adds --master local[*] unless a --master is given, and conf/spark-defaults.conf
# unless a --properties-file is given. Builds the shaded jar when it is missing. With --master yarn: HADOOP_CONF_DIR
# (or YARN_CONF_DIR) names the cluster's configuration; SPARKCNN_JAR may name the shaded jar on HDFS.
#
# Examples:
#   scripts/submit.sh -- --config conf/demo.conf --help
#   scripts/submit.sh --master yarn --deploy-mode cluster -- --config job.conf --output hdfs:///runs/x
#   scripts/submit.sh evaluate -- --model hdfs:///runs/x --output hdfs:///reports/x-test
#   scripts/submit.sh predict -- --model hdfs:///runs/x --input hdfs:///incoming --output hdfs:///predictions/today
#   scripts/submit.sh retrain --master yarn -- --config conf/retrain.conf        (scripts/retrain.sh for cron)
#   scripts/submit.sh registry -- --registry hdfs:///models/fashion list
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MAIN_CLASS="io.sparkcnn.jobs.Sparkcnn"
JOB=(train)
BENCH=false
case "${1:-}" in
  train|evaluate|predict|retrain|registry) JOB=("$1"); shift ;;
  bench) MAIN_CLASS="io.sparkcnn.bench.BenchJob"; JOB=(); BENCH=true; shift ;;
esac

spark_args=()
job_args=()
if [[ " $* " == *" -- "* ]]; then
  while [[ $# -gt 0 && "$1" != "--" ]]; do spark_args+=("$1"); shift; done
  shift
  job_args=("$@")
else
  job_args=("$@")
fi

has_option() {
  local name="$1"; shift
  local arg
  for arg in "$@"; do
    [[ "$arg" == "$name" || "$arg" == "$name="* ]] && return 0
  done
  return 1
}

defaults=()
has_option --master "${spark_args[@]+"${spark_args[@]}"}" || defaults+=(--master 'local[*]')
has_option --properties-file "${spark_args[@]+"${spark_args[@]}"}" || defaults+=(--properties-file "$ROOT/conf/spark-defaults.conf")

shopt -s nullglob
# The shaded jar carries all of the jobs' code (the benchmark's is in its own jar); the launcher classpath (spark-runtime/target/spark-runtime-classpath.txt,
# written by the same build) lists only what a cluster provides: Spark and the Hadoop client. Both come
# from one full-reactor build, so nothing of ours is ever taken from ~/.m2.
CP_FILE="$ROOT/spark-runtime/target/spark-runtime-classpath.txt"
USE_SPARK_HOME=false
[[ -n "${SPARK_HOME:-}" && -x "${SPARK_HOME}/bin/spark-submit" ]] && USE_SPARK_HOME=true
# (every package build rewrites the file when the dependencies change; its time stays when they do not)
missing_launcher_classpath() {
  [[ "$USE_SPARK_HOME" == false && ! -s "$CP_FILE" ]]
}
jars=("$ROOT"/jobs/target/sparkcnn-jobs-*-shaded.jar)
bench_jars=("$ROOT"/bench/target/sparkcnn-bench-*.jar)
if [[ ${#jars[@]} -eq 0 ]] || missing_launcher_classpath || [[ "$BENCH" == true && ${#bench_jars[@]} -eq 0 ]]; then
  echo "submit.sh: building the job jar (./mvnw -B -q -DskipTests package)..." >&2
  (cd "$ROOT" && ./mvnw -B -q -DskipTests package >&2)
  jars=("$ROOT"/jobs/target/sparkcnn-jobs-*-shaded.jar)
  bench_jars=("$ROOT"/bench/target/sparkcnn-bench-*.jar)
fi
if [[ ${#jars[@]} -ne 1 ]]; then
  echo "submit.sh: expected one jobs/target/sparkcnn-jobs-*-shaded.jar, found ${#jars[@]}; run ./mvnw clean package" >&2
  exit 1
fi
JAR="${jars[0]}"
# The application jar spark-submit runs; the benchmark's own small jar (bench/, never in the shaded jar) runs
# with the shaded jar beside it, on the driver and the executors. SPARKCNN_JAR names a copy of the shaded jar on
# the cluster's file system (hdfs://...): YARN then localizes it from there, cached on each node, instead of
# this machine uploading it with every submission (docs/cluster.md#yarn).
APP=("${SPARKCNN_JAR:-$JAR}")
if [[ "$BENCH" == true ]]; then
  if [[ ${#bench_jars[@]} -ne 1 ]]; then
    echo "submit.sh: expected one bench/target/sparkcnn-bench-*.jar, found ${#bench_jars[@]}; run ./mvnw clean package" >&2
    exit 1
  fi
  APP=(--jars "$JAR" "${bench_jars[0]}")
fi
LOG_CONF="$ROOT/conf/log4j2.properties"

# Spark warns that the hostname resolves to a loopback address on a laptop; a local master needs no other.
master="local[*]"
for ((i = 0; i < ${#spark_args[@]}; i++)); do
  case "${spark_args[$i]}" in
    --master) master="${spark_args[$((i + 1))]:-}" ;;
    --master=*) master="${spark_args[$i]#--master=}" ;;
  esac
done
if [[ "$master" == local* && -z "${SPARK_LOCAL_IP:-}" ]]; then
  export SPARK_LOCAL_IP=127.0.0.1
fi

if [[ "$USE_SPARK_HOME" == true ]]; then
  extra=()
  has_option --driver-java-options "${spark_args[@]+"${spark_args[@]}"}" \
    || extra+=(--driver-java-options "-Dlog4j.configurationFile=$LOG_CONF")
  exec "$SPARK_HOME/bin/spark-submit" "${defaults[@]+"${defaults[@]}"}" "${extra[@]+"${extra[@]}"}" \
    "${spark_args[@]+"${spark_args[@]}"}" --class "$MAIN_CLASS" "${APP[@]}" "${JOB[@]+"${JOB[@]}"}" "${job_args[@]+"${job_args[@]}"}"
fi

# No Spark installation: run Spark's launcher (SparkSubmit) from the launcher classpath (Spark, Hadoop).
if grep -q '/io/sparkcnn/' "$CP_FILE"; then
  echo "submit.sh: $CP_FILE names a jar of this project; only the shaded jar may carry our code. Rebuild: ./mvnw clean package" >&2
  exit 1
fi
# spark-submit adds these itself for Java 17; java -cp does not
JAVA17_OPENS=(
  -XX:+IgnoreUnrecognizedVMOptions
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  -Djdk.reflect.useDirectMethodHandle=false
)
# YARN without a Spark installation: Spark's YARN client reads the cluster's addresses from HADOOP_CONF_DIR /
# YARN_CONF_DIR on its classpath (spark-submit puts them there), and the containers need Spark's own jars. Unless
# spark.yarn.jars or spark.yarn.archive is set (on the command line or in the properties file; the faster way:
# docs/cluster.md#yarn), the launcher classpath's jars are named, and Spark uploads them with the application.
CONF_DIRS=""
if [[ "$master" == yarn* ]]; then
  for dir in "${HADOOP_CONF_DIR:-}" "${YARN_CONF_DIR:-}"; do
    [[ -n "$dir" ]] && CONF_DIRS="$CONF_DIRS$dir:"
  done
  props="$ROOT/conf/spark-defaults.conf"
  for ((i = 0; i < ${#spark_args[@]}; i++)); do
    case "${spark_args[$i]}" in
      --properties-file) props="${spark_args[$((i + 1))]:-}" ;;
      --properties-file=*) props="${spark_args[$i]#--properties-file=}" ;;
    esac
  done
  if [[ " ${spark_args[*]+"${spark_args[*]}"} " != *"spark.yarn.jars="* && " ${spark_args[*]+"${spark_args[*]}"} " != *"spark.yarn.archive="* ]] \
      && ! grep -Eq '^[[:space:]]*spark\.yarn\.(jars|archive)[[:space:]=]' "$props" 2>/dev/null; then
    defaults+=(--conf "spark.yarn.jars=$(tr ':' ',' < "$CP_FILE")")
  fi
fi

# The driver JVM is this one (in YARN cluster mode only the client: the driver runs in the ApplicationMaster's
# container with spark.driver.memory); its heap and ND4J's off-heap cap are set here (override with SPARKCNN_DRIVER_OPTS).
read -r -a DRIVER_OPTS <<< "${SPARKCNN_DRIVER_OPTS:--Xmx4g -Dorg.bytedeco.javacpp.maxbytes=4G -Dorg.bytedeco.javacpp.maxphysicalbytes=10G}"

exec java "${JAVA17_OPENS[@]}" "${DRIVER_OPTS[@]}" "-Dlog4j.configurationFile=$LOG_CONF" \
  -cp "$CONF_DIRS$JAR:$(cat "$CP_FILE")" org.apache.spark.deploy.SparkSubmit \
  "${defaults[@]+"${defaults[@]}"}" "${spark_args[@]+"${spark_args[@]}"}" \
  --class "$MAIN_CLASS" "${APP[@]}" "${JOB[@]+"${JOB[@]}"}" "${job_args[@]+"${job_args[@]}"}"
