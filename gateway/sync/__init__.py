"""The sync engine: dispatcher, status puller, notifier and their schedule."""
