"""Page controllers: the only code that touches the DOM. Protocol lives elsewhere."""
