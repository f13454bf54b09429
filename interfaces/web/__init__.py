"""The Gradio web app: rendering (with all HTML escaping), one module per tab, the API."""
