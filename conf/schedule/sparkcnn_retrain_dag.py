"""Airflow DAG: nightly sparkcnn retraining through SparkSubmitOperator.

Needs apache-airflow-providers-apache-spark and a Spark connection ("spark_yarn": host yarn, extra
{"deploy-mode": "cluster"}). Copy the shaded jar and conf/retrain.conf to where the Airflow workers read them.
In cluster deploy mode the job's exit code reaches Airflow only as success or failure: a run refused
because the registry is locked (exit 75) fails the task, and Airflow's retry runs it again later.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

SPARKCNN = "/opt/sparkcnn"

with DAG(
    dag_id="sparkcnn_retrain",
    schedule="15 2 * * *",
    start_date=datetime(2026, 11, 1),
    catchup=False,
    max_active_runs=1,  # the registry lock would refuse a second one anyway
    default_args={"retries": 2, "retry_delay": timedelta(minutes=30)},
    tags=["sparkcnn", "ml"],
) as dag:
    SparkSubmitOperator(
        task_id="retrain",
        conn_id="spark_yarn",
        name="sparkcnn-retrain",
        application=f"{SPARKCNN}/jobs/sparkcnn-jobs-0.1.0-SNAPSHOT-shaded.jar",
        java_class="io.sparkcnn.jobs.RetrainJob",
        files=f"{SPARKCNN}/conf/retrain.conf",
        application_args=["--config", "retrain.conf"],
        properties_file=f"{SPARKCNN}/conf/spark-defaults.conf",
        num_executors=8,
        executor_cores=4,
        executor_memory="6g",
        driver_memory="4g",
        execution_timeout=timedelta(hours=6),
    )
