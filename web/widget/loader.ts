// Placeholder: replaced by the widget's loader.
export {};
