"""zombielab's grader: runs learners' programs in a sandbox and checks /proc, not their words."""
