"""One BLAS/OpenMP thread per test process: the CI machine's two cores are shared, and
NumPy's matrix products on small LSTM and dense layers slow down many times over when their
thread pools outnumber the cores."""
import pytest


@pytest.fixture(autouse=True, scope="session")
def single_threaded_blas():
    """Limit the thread pools of BLAS and OpenMP to one thread for the network tests."""
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=1):
        yield
