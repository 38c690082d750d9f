"""``python -m emojiml ...`` runs the same CLI as the ``emojiml`` command."""

from emojiml.cli import main

raise SystemExit(main())
