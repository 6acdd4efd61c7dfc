"""Demo data (placeholder until seed-demo is written)."""


def seed_demo(reset: bool = False) -> str:
    return "nothing seeded"
