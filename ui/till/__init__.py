"""The cashier's till: the window, the sale and tender screens, the dialogs a cashier opens, and the
store operations and payments it runs off the GUI thread."""
