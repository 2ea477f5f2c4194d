"""The Slack front end: Bolt app, listeners, Block Kit rendering, Socket Mode / HTTP runners.

The only package that imports ``slack_bolt`` / ``slack_sdk``. Importing it does nothing: the app is
built by :func:`bot.slack.app.create_app` and run by :mod:`bot.slack.runner`.
"""
