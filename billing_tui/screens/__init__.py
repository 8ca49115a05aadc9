"""The screens: one module per screen; thin: layout, keys, calls to the Store."""
