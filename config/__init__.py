from config.settings import Settings, parse_duration

__all__ = ["Settings", "parse_duration"]
