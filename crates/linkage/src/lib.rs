//! Record linkage (*đối chiếu*): blocking, probabilistic scoring and clustering.
