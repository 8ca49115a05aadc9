"""(being written)"""


def register(commands):
    return {}
