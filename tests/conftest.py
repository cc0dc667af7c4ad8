"""Root pytest configuration: the Kafka fixtures (tests/support/kafka.py) for every test folder."""

pytest_plugins = ["tests.support.kafka"]
