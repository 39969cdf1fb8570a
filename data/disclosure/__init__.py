"""阳光公开: the disclosure workflow (workflow.py), its content from the books (content.py), the
members' questions (questions.py) and the members' portal (portal.py)."""
